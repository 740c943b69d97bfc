"""The command line: the commands, rendering (the only code that imports rich), the watch loop and the attempt store."""
