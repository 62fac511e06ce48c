from django.db import migrations, models
from django.db.models import OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce


def count_active_holds(apps, schema_editor):
    """Start each ticket type's held counter at the tickets in its active holds."""
    Ticket = apps.get_model("shows", "Ticket")
    TicketHold = apps.get_model("orders", "TicketHold")
    held = (
        TicketHold.objects.filter(ticket=OuterRef("pk"), status="active")
        .order_by()
        .values("ticket")
        .annotate(total=Sum("quantity"))
        .values("total")
    )
    Ticket.objects.update(quantity_held=Coalesce(Subquery(held, output_field=models.IntegerField()), Value(0)))


class Migration(migrations.Migration):
    dependencies = [
        ("shows", "0001_initial"),
        ("orders", "0002_ticketorder_attendee_names"),
    ]

    operations = [
        migrations.AddField(
            model_name="ticket",
            name="quantity_held",
            field=models.PositiveIntegerField(
                default=0,
                editable=False,
                help_text="Tickets in active holds (expired ones too until they are released).",
            ),
        ),
        migrations.RunPython(count_active_holds, migrations.RunPython.noop),
    ]
