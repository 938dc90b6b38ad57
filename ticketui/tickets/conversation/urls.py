from django.urls import path

from . import views, views_reply

urlpatterns = [
    path(
        "tickets/<int:pk>/conversation/",
        views.conversation_thread_view,
        name="conversation-thread",
    ),
    path(
        "tickets/<int:pk>/conversation/reply",
        views_reply.reply_create_view,
        name="conversation-reply",
    ),
    path(
        "tickets/<int:pk>/conversation/reply-panel",
        views_reply.reply_panel_view,
        name="conversation-reply-panel",
    ),
    path(
        "tickets/<int:pk>/conversation/attachments/<str:accessory_id>",
        views_reply.attachment_download_view,
        name="conversation-attachment",
    ),
]
