package dev.hoist.cli;

import java.util.List;
import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code hoist completion bash|zsh}: the shell completion script, from picocli's AutoComplete. */
@Command(
    name = "completion",
    mixinStandardHelpOptions = true,
    description = {
      "Prints a script that completes hoist's commands and options in bash or zsh (zsh loads it",
      "through its bash compatibility, bashcompinit, which the script turns on)."
    },
    footer = {
      "",
      "Install:",
      "  hoist completion bash > ~/.local/share/bash-completion/completions/hoist",
      "  hoist completion zsh > ~/.zfunc/hoist.zsh && echo 'source ~/.zfunc/hoist.zsh' >> ~/.zshrc",
      "Or for this shell only:  source <(hoist completion bash)"
    })
final class CompletionCommand implements Callable<Integer> {
  /** The shells the script is for. */
  enum Shell {
    bash,
    zsh
  }

  @ParentCommand HoistCommand root;

  @Parameters(
      paramLabel = "SHELL",
      description = "bash or zsh (the script is the same: zsh runs it through bashcompinit).")
  Shell shell;

  @Override
  public Integer call() {
    // Only the named subcommand is registered for speed; the script must know every one.
    CommandLine all = new HoistCommand(root.console, List.of()).commandLine(List.of());
    root.console.line(AutoComplete.bash("hoist", all));
    return ExitCode.OK;
  }
}
