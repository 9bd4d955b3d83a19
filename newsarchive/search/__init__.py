"""The Whoosh index and the queries run against it."""
