package dev.errand.cli;

/** A setting that is missing or wrong; the message names it and how to give it. The command stops with exit code 2. */
public final class SetupProblem extends RuntimeException {

    public SetupProblem(String message) {
        super(message);
    }
}
