/*
 * Entry point of the `kanna` command line: registers the subcommands and turns failures into one
 * clear line on stderr (a stack trace only with --debug) and a non-zero exit.
 */
package dev.kanna.cli;

import dev.kanna.trainer.TrainingOutputs;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "kanna",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "Kanna: fine-tune a pretrained BERT on your domain's task, in pure Java.",
        subcommands = {
                QuickstartCommand.class,
                FetchModelCommand.class,
                ImportOnnxCommand.class,
                TokenizeCommand.class,
                EmbedCommand.class,
                LogitsCommand.class,
                PretrainCommand.class,
                TrainCommand.class,
                TuneCommand.class,
                WeakLabelCommand.class,
                ExtendVocabCommand.class,
                AugmentCommand.class,
                EvaluateCommand.class,
                PredictCommand.class,
                EnsembleCommand.class,
                ServeCommand.class,
                CommandLine.HelpCommand.class,
        })
public final class Main implements Runnable {

    /** Exit code for bad input or a failed run; picocli uses 2 for usage errors. */
    public static final int EXIT_FAILURE = 1;

    @Option(names = "--debug", scope = CommandLine.ScopeType.INHERIT,
            description = "Print stack traces for errors.")
    boolean debug;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.err);
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns its exit code; used by tests as well as {@link #main}. */
    public static int run(String... args) {
        CommandLine cli = commandLine();
        try {
            return cli.execute(args);
        } catch (OutOfMemoryError e) {
            System.err.println("kanna: out of memory (Java heap " + Runtime.getRuntime().maxMemory() / (1 << 20)
                    + " MiB); give it more with KANNA_JAVA_OPTS=-Xmx16g, or lower --batch-size or --max-length");
            return EXIT_FAILURE;
        }
    }

    static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new Main());
        cli.setExecutionExceptionHandler(new OneLineErrors());
        return cli;
    }

    /** Prints "kanna <command>: <message>" for a failed command; the stack trace only with --debug. */
    static final class OneLineErrors implements CommandLine.IExecutionExceptionHandler {
        @Override
        public int handleExecutionException(Exception ex, CommandLine cmd, CommandLine.ParseResult parsed) {
            boolean debug = hasDebug(parsed);
            String message = ex.getMessage() != null ? ex.getMessage() : ex.toString();
            cmd.getErr().println(cmd.getCommandName().equals("kanna")
                    ? "kanna: " + message
                    : "kanna " + cmd.getCommandName() + ": " + message);
            if (debug) ex.printStackTrace(cmd.getErr());
            cmd.getErr().flush();
            return EXIT_FAILURE;
        }

        /** --debug given anywhere on the command line (it is inherited by every subcommand). */
        private static boolean hasDebug(CommandLine.ParseResult parsed) {
            for (CommandLine.ParseResult p = parsed; p != null; p = p.subcommand()) {
                if (p.hasMatchedOption("--debug")) return true;
            }
            return false;
        }
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[]{"kanna " + TrainingOutputs.version(),
                    "java " + Runtime.version()};
        }
    }
}
