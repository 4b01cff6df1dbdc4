from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("demands", "0008_published_at_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="demand",
            name="title_en",
            field=models.CharField(blank=True, max_length=255, verbose_name="title in English"),
        ),
        migrations.AddField(
            model_name="demand",
            name="summary_en",
            field=models.TextField(blank=True, max_length=2000, verbose_name="summary in English"),
        ),
    ]
