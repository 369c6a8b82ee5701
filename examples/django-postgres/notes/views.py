"""The example's pages and the JSON endpoints its integration test reads."""

import hashlib
import html
import json
import os
import re

import redis
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from .models import Note, Tag

SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,100}\Z")


def _redis():
    return redis.Redis.from_url(os.environ["REDIS_URL"])


def index(request):
    notes = "".join("<li>%s</li>" % html.escape(n.text) for n in Note.objects.order_by("-id")[:20])
    page = (
        "<h1>Notes</h1><form method=post action=/api/notes><input name=text>"
        "<button>Add</button></form><ul>%s</ul>"
        "<h2>Upload</h2><form method=post action=/upload enctype=multipart/form-data>"
        "<input type=file name=file><button>Upload</button></form>" % notes
    )
    return HttpResponse(page)


def healthz(request):
    with connection.cursor() as c:
        c.execute("SELECT 1")
    _redis().ping()
    return HttpResponse("ok\n", content_type="text/plain")


@csrf_exempt
def notes(request):
    if request.method == "POST":
        note = Note.objects.create(text=request.POST.get("text", ""))
        for name in request.POST.getlist("tag"):
            Tag.objects.create(note=note, name=name)
        cache.set("last-note", note.id)
        return JsonResponse({"id": note.id}, status=201)
    return JsonResponse({"notes": list(Note.objects.order_by("id").values("id", "text"))})


@csrf_exempt
def key(request, key):
    r = _redis()
    if request.method == "POST":
        r.set("app:" + key, request.body)
        return JsonResponse({"key": key}, status=201)
    value = r.get("app:" + key)
    return JsonResponse({"key": key, "value": None if value is None else value.decode()})


def session(request):
    # Sessions live in the Redis cache: the count survives across requests with the cookie.
    request.session["count"] = request.session.get("count", 0) + 1
    return JsonResponse({"count": request.session["count"]})


@csrf_exempt
def upload(request):
    if request.method != "POST":
        return index(request)
    if settings.UPLOADS_DIR is None:
        return JsonResponse({"error": "this deployment has no uploads ('files' service)"}, status=404)
    f = request.FILES.get("file")
    if f is None or not SAFE_NAME.match(f.name):
        return JsonResponse({"error": "a file with a plain name is needed"}, status=400)
    digest = hashlib.sha256()
    path = settings.UPLOADS_DIR / f.name
    with open(path, "wb") as out:
        for chunk in f.chunks():
            digest.update(chunk)
            out.write(chunk)
    return JsonResponse(
        {"name": f.name, "sha256": digest.hexdigest(), "url": settings.UPLOADS_URL + "/" + f.name},
        status=201,
    )


def state(request):
    """What a backup and restore must keep: rows, keys and files, each with a checksum."""
    tables = {}
    for model in (Note, Tag):
        rows = list(model.objects.order_by("pk").values_list())
        text = json.dumps(rows, default=str, sort_keys=True)
        tables[model._meta.db_table] = {
            "count": len(rows),
            "sha256": hashlib.sha256(text.encode()).hexdigest(),
        }
    r = _redis()
    keys = {
        k.decode(): r.get(k).hex()
        for k in sorted(r.scan_iter(match="app:*"))
        if r.type(k) == b"string"
    }
    files = {}
    for name in sorted(os.listdir(settings.UPLOADS_DIR)) if settings.UPLOADS_DIR else []:
        with open(settings.UPLOADS_DIR / name, "rb") as fh:
            files[name] = hashlib.sha256(fh.read()).hexdigest()
    return JsonResponse({"tables": tables, "keys": keys, "files": files})
