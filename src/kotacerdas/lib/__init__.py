"""Pure helper functions shared by kotacerdas apps (no Django imports)."""
