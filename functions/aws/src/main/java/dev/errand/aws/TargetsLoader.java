package dev.errand.aws;

import dev.errand.core.target.Targets;
import java.util.function.Supplier;
import software.amazon.awssdk.services.ssm.SsmClient;

/** Reads the targets document: inline from ERRAND_TARGETS, else from the SSM parameter ERRAND_TARGETS_PARAMETER. */
public final class TargetsLoader {

    private TargetsLoader() {}

    /** The configured targets; a missing or invalid document stops the function's start with every problem named. */
    public static Targets load(Env env, Supplier<SsmClient> ssm) {
        String document = env.get(Env.TARGETS).orElseGet(() -> fromParameter(env, ssm));
        return switch (Targets.parse(document)) {
            case Targets.Loaded.Ok ok -> ok.targets();
            case Targets.Loaded.Invalid invalid -> throw new IllegalStateException(
                    "the targets document is invalid: " + String.join("; ", invalid.problems()));
        };
    }

    private static String fromParameter(Env env, Supplier<SsmClient> ssm) {
        String name = env.get(Env.TARGETS_PARAMETER).orElseThrow(() -> new IllegalStateException(
                "no targets configured: set " + Env.TARGETS + " (inline JSON) or " + Env.TARGETS_PARAMETER + " (an SSM parameter name)"));
        return ssm.get().getParameter(b -> b.name(name).withDecryption(true)).parameter().value();
    }
}
