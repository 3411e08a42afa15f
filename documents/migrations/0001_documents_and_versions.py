# The documents app: documents, their versions, and the categories a council starts with.

import django.db.models.deletion
import documents.models
from django.conf import settings
from django.db import migrations, models


CATEGORIES = [
    ("assessment", "Assessment"),
    ("plan", "Plan"),
    ("report", "Report"),
    ("letter", "Letter"),
    ("email", "Email or correspondence"),
    ("court", "Court document"),
    ("consent", "Consent or agreement"),
    ("identity", "Identity or legal document"),
    ("health", "Health or medical"),
    ("education", "Education"),
    ("photograph", "Photograph"),
    ("other", "Other"),
]


def add_categories(apps, schema_editor):
    """The document categories (a code list the admin edits): only what is missing is added."""
    CodeList = apps.get_model("casemgmt", "CodeList")
    Code = apps.get_model("casemgmt", "Code")
    code_list, _ = CodeList.objects.get_or_create(
        key="document-categories",
        defaults={"name": "Document categories", "description": "What kind of document a file is."},
    )
    for order, (code, label) in enumerate(CATEGORIES, start=1):
        Code.objects.get_or_create(
            code_list=code_list, code=code, defaults={"label": label, "sort_order": order * 10}
        )


def remove_categories(apps, schema_editor):
    apps.get_model("casemgmt", "CodeList").objects.filter(key="document-categories").delete()


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('casemgmt', '0004_audit_seals_append_only'),
        ('clients', '0005_plural_names'),
        ('workflows', '0003_team_tray_index_by_due_date'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='Document',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('title', models.CharField(max_length=200)),
                ('document_date', models.DateField(help_text='The date the document is about or was written.')),
                ('confidentiality', models.CharField(choices=[('normal', 'Normal'), ('sensitive', 'Sensitive'), ('restricted', 'Restricted to the uploader and managers')], default='normal', max_length=10)),
                ('created_at', models.DateTimeField()),
                ('deleted_at', models.DateTimeField(blank=True, null=True)),
                ('deletion_reason', models.TextField(blank=True)),
                ('case_note', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='documents', to='clients.casenote')),
                ('category', models.ForeignKey(limit_choices_to={'code_list__key': 'document-categories'}, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='casemgmt.code')),
                ('deleted_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('group', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='documents', to='clients.group')),
                ('person', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='documents', to='clients.person')),
                ('step', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='documents', to='workflows.step')),
                ('uploaded_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['-document_date', '-id'],
            },
        ),
        migrations.CreateModel(
            name='DocumentVersion',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('number', models.PositiveIntegerField()),
                ('file', models.FileField(max_length=300, storage=documents.models.document_storage, upload_to=documents.models.version_file_name)),
                ('original_filename', models.CharField(max_length=255)),
                ('size', models.PositiveBigIntegerField()),
                ('sha256', models.CharField(max_length=64)),
                ('content_type', models.CharField(max_length=100)),
                ('uploaded_at', models.DateTimeField()),
                ('scan_result', models.CharField(choices=[('not_scanned', 'Not scanned (no virus scanner configured)'), ('clean', 'No virus found')], max_length=20)),
                ('document', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='versions', to='documents.document')),
                ('uploaded_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['-number'],
            },
        ),
        migrations.AddField(
            model_name='document',
            name='current_version',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='documents.documentversion'),
        ),
        migrations.AddConstraint(
            model_name='documentversion',
            constraint=models.UniqueConstraint(fields=('document', 'number'), name='document_version_unique'),
        ),
        migrations.AddIndex(
            model_name='document',
            index=models.Index(condition=models.Q(('deleted_at__isnull', True)), fields=['person', '-document_date', '-id'], name='document_person_date'),
        ),
        migrations.AddConstraint(
            model_name='document',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('deleted_at__isnull', True), ('deleted_by__isnull', True), ('deletion_reason', '')), models.Q(('deleted_at__isnull', False), ('deleted_by__isnull', False), models.Q(('deletion_reason', ''), _negated=True)), _connector='OR'), name='document_deletion_complete'),
        ),
        migrations.RunPython(add_categories, remove_categories),
    ]
