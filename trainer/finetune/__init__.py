"""Fine-tuning from the app (docs/trainer-protocol.md): a run folder's finetune.json -> CT (+ DTM) from a base
checkpoint on the user's own pairs or HR photos, previews on a held-out pair, export. The app reads the JSON lines on
stdout."""
