package dev.errand.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** A command that works on Errand: the options saying where it runs, -h, and the context; each says what it does. */
abstract class OperatorCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @ArgGroup(validate = false, heading = Connection.HEADING)
    Connection connection = new Connection();

    @Mixin
    HelpOption help;

    final Context context;

    OperatorCommand(Context context) {
        this.context = context;
    }

    @Override
    public final Integer call() {
        check();
        try (Settings settings = new Settings(connection, context.env())) {
            return run(settings);
        }
    }

    /** Refuses wrong arguments before anything is called; a {@link SetupProblem} names the rule. */
    void check() {}

    abstract int run(Settings settings);

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    PrintWriter err() {
        return spec.commandLine().getErr();
    }
}
