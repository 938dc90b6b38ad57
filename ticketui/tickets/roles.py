"""The two roles and their permissions. Support operates, tracks and claims tickets; a team lead
also reviews every audit record, gives tickets to anyone and removes views shared with the team. A migration creates them; `roles_ensure` repairs them anywhere else."""

ROLES: dict[str, list[tuple[str, str]]] = {
    "Support": [
        ("tickets", "operate_ticket"),
        ("tickets", "track_ticket"),
        ("tickets", "view_ticket"),
        ("tickets", "claim_ticket"),
    ],
    "Team lead": [
        ("tickets", "operate_ticket"),
        ("tickets", "track_ticket"),
        ("tickets", "view_ticket"),
        ("audit", "view_all_records"),
        ("tickets", "run_sync"),
        ("tickets", "view_satisfaction_report"),
        ("tickets", "change_satisfactiondimension"),
        ("tickets", "claim_ticket"),
        ("tickets", "assign_ticket"),
        # Any shared view (everyone may delete their own).
        ("tickets", "delete_savedview"),
    ],
}


def roles_ensure(group_model, permission_model) -> None:
    """Create the groups and give them their permissions (the models are passed in so that a
    migration can use its historical ones), in a handful of queries: tests set roles up often."""
    wanted = {permission for permissions in ROLES.values() for permission in permissions}
    # A permission of a model a later migration creates does not exist yet in an earlier one;
    # that later migration runs this again.
    found = {
        (app_label, codename): pk
        for pk, app_label, codename in permission_model.objects.filter(
            codename__in={codename for _, codename in wanted}
        ).values_list("pk", "content_type__app_label", "codename")
        if (app_label, codename) in wanted
    }
    for name, permissions in ROLES.items():
        group, _ = group_model.objects.get_or_create(name=name)
        group.permissions.add(*[found[p] for p in permissions if p in found])
