from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "ticketui.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from django.contrib.auth.models import Group, Permission, User
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from .backends import permissions_forget

        for relation in (User.groups, User.user_permissions, Group.permissions):
            m2m_changed.connect(permissions_forget, sender=relation.through)
        for model in (Group, Permission):
            post_save.connect(permissions_forget, sender=model)
            post_delete.connect(permissions_forget, sender=model)
        post_save.connect(_user_saved, sender=User)
        post_delete.connect(permissions_forget, sender=User)


def _user_saved(sender, instance, update_fields=None, **kwargs) -> None:
    """A login only stamps last_login; anything else may change what the user may do."""
    if update_fields is not None and set(update_fields) <= {"last_login"}:
        return
    from .backends import permissions_forget

    permissions_forget()
