"""Buyer-facing pages, one module per area: browse (home, show list, profiles, selling with us),
shows (the show page and its checkout), orders (the order page), seo (sitemap, robots, widget)."""
