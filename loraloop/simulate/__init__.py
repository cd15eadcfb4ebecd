"""`loraloop simulate`: simulated users close the loop feedback -> retrain -> canary -> promotion or rollback."""
