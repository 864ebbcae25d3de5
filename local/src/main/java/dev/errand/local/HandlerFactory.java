package dev.errand.local;

import dev.errand.aws.Env;
import java.io.PrintStream;

/**
 * Makes a function's handler from the class template.yaml names, the environment the function would get,
 * and the stream it logs to (what a Lambda function writes to stdout, which the local console reads).
 */
@FunctionalInterface
public interface HandlerFactory {

    /**
     * Lambda's way, minus the runtime: the handler class's constructor that takes the environment and the log
     * stream, else the one that takes the environment alone (a handler that does not log).
     */
    HandlerFactory REFLECTIVE = (className, env, logs) -> {
        Class<?> handler = Class.forName(className);
        try {
            return handler.getConstructor(Env.class, PrintStream.class).newInstance(env, logs);
        } catch (NoSuchMethodException e) {
            return handler.getConstructor(Env.class).newInstance(env);
        }
    };

    Object create(String className, Env env, PrintStream logs) throws ReflectiveOperationException;
}
