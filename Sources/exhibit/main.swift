import Engine
import ExhibitCLI

ExhibitCommand.catalog = .builtin
ExhibitCommand.runMain()
