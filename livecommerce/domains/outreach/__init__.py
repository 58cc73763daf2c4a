"""Outreach: reach a host's buyers again at no cost without pestering them. An in-app inbox and
channels behind one interface (Web Push, e-mail, IM/SMS webhooks, a sandbox), consent, caps and
quiet hours, journeys (预约, repurchase by cycle, viewed-not-bought, member day, tier change, a
host's one-off message) and their results."""
