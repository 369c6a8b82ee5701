"""URL routes of the services example."""

from django.urls import path

from notes import views

urlpatterns = [
    path("", views.index),
    path("healthz/", views.healthz),
    path("api/notes", views.notes),
    path("api/keys/<str:key>", views.key),
    path("api/session", views.session),
    path("api/state", views.state),
    path("upload", views.upload),
]
