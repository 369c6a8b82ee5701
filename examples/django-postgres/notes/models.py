from django.db import models


class Note(models.Model):
    """A line of text; the trigram index shows the pg_trgm extension Hoist created."""

    text = models.CharField(max_length=500)
    created = models.DateTimeField(auto_now_add=True)


class Tag(models.Model):
    """A second table, so the state endpoint checksums more than one."""

    note = models.ForeignKey(Note, on_delete=models.CASCADE, related_name="tags")
    name = models.CharField(max_length=50)
