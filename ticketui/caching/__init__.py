"""What keeps the busiest pages fast, reached through these few names and nothing else:

- Row markup (`{% cached_rows %}` and `{% cached_for_viewer %}`, template tags built into every
  template; `fragments.py`). A template hands the tag the rows it shows and the fields that
  change them; the tag names the cached markup after exactly that and the viewer's language and
  time zone, so a view has nothing to feed and a fallback page cannot forget anything.
- Choice labels (`labels.choice_label`): a model's `get_FOO_display()` for values shown by the
  hundred, without Django rebuilding and translating every choice on each call.
- The Redis cache backend (`redis.RedisCache`, chosen by CACHE_URL=redis://…): one client per
  connection pool instead of one per cache call.

What each costs a reader of the code is said in the README ("How the code is laid out")."""
