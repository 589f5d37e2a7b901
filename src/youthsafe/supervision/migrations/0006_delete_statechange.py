from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('supervision', '0005_history_to_status_change'),
    ]

    operations = [
        migrations.DeleteModel(
            name='StateChange',
        ),
    ]
