from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0002_append_only_triggers'),
    ]

    operations = [
        migrations.AddField(
            model_name='accesslogentry',
            name='key_id',
            field=models.CharField(default='', max_length=16),
            preserve_default=False,
        ),
    ]
