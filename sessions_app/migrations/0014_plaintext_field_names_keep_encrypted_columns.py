"""The Python attributes say what they hold (plaintext JSON or text; the field encrypts it
on its way to the column), while the columns keep their names: state only, no SQL."""

from django.db import migrations

import reflect.fields


class Migration(migrations.Migration):
    dependencies = [
        ("sessions_app", "0013_retention_warning"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RenameField(model_name="reflection", old_name="answers_encrypted", new_name="answers_json"),
                migrations.AlterField(
                    model_name="reflection",
                    name="answers_json",
                    field=reflect.fields.EncryptedTextField(blank=True, db_column="answers_encrypted"),
                ),
                migrations.RenameField(model_name="sessionevaluation", old_name="comment_encrypted", new_name="comment"),
                migrations.AlterField(
                    model_name="sessionevaluation",
                    name="comment",
                    field=reflect.fields.EncryptedTextField(blank=True, db_column="comment_encrypted", max_length=1000),
                ),
                migrations.RenameField(model_name="shownfigures", old_name="texts_encrypted", new_name="texts_json"),
                migrations.AlterField(
                    model_name="shownfigures",
                    name="texts_json",
                    field=reflect.fields.EncryptedTextField(blank=True, db_column="texts_encrypted"),
                ),
            ],
            database_operations=[],
        ),
    ]
