package dev.errand.local;

import dev.errand.aws.Env;

/** Makes a function's handler from the class template.yaml names and the environment the function would get. */
@FunctionalInterface
public interface HandlerFactory {

    /** Lambda's way, minus the runtime: the handler class's constructor that takes the environment. */
    HandlerFactory REFLECTIVE = (className, env) -> Class.forName(className).getConstructor(Env.class).newInstance(env);

    Object create(String className, Env env) throws ReflectiveOperationException;
}
