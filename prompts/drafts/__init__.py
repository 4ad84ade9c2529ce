"""Post-type templates for drafts (Markdown with YAML front matter); loaded by assistant.drafting.templates."""
