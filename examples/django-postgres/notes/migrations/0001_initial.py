from django.db import migrations, models
import django.db.models.deletion


class Migration(migrations.Migration):

    initial = True

    dependencies = []

    operations = [
        migrations.CreateModel(
            name="Note",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("text", models.CharField(max_length=500)),
                ("created", models.DateTimeField(auto_now_add=True)),
            ],
        ),
        migrations.CreateModel(
            name="Tag",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(max_length=50)),
                ("note", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="tags", to="notes.note")),
            ],
        ),
        # Needs the pg_trgm extension, which only a superuser may create: Hoist did.
        migrations.RunSQL(
            "CREATE INDEX notes_note_text_trgm ON notes_note USING gin (text gin_trgm_ops)",
            "DROP INDEX notes_note_text_trgm",
        ),
    ]
