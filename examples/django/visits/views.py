from django.http import HttpResponse

from .models import Visit


def index(request):
    # A write on every visit shows that the shared database and the migrations work.
    Visit.objects.create()
    return HttpResponse(
        "Hello from Django! %d visits\n" % Visit.objects.count(),
        content_type="text/plain",
    )


def healthz(request):
    return HttpResponse("ok\n", content_type="text/plain")
