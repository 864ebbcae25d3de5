package dev.errand.cli;

import java.time.Clock;
import java.util.Map;

/**
 * What the commands take from outside: the environment, the time, the stop signal, and whether stderr is a
 * terminal (a progress bar is redrawn in place there, and printed as lines elsewhere).
 */
public record Context(Map<String, String> env, Clock clock, StopSignal stop, boolean terminal) {

    public Context {
        env = Map.copyOf(env);
    }
}
