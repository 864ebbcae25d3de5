package dev.errand.aws;

import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;

/** A value made on first use, at most once: a function or command makes only the clients it needs. */
public final class Lazy<T> implements Supplier<T> {

    private final Supplier<T> make;
    private Optional<T> value = Optional.empty();

    public Lazy(Supplier<T> make) {
        this.make = make;
    }

    @Override
    public synchronized T get() {
        if (value.isEmpty()) {
            value = Optional.of(make.get());
        }
        return value.get();
    }

    /** Acts on the value only if it was made: closing a client nobody asked for would make it first. */
    public synchronized void ifMade(Consumer<T> action) {
        value.ifPresent(action);
    }
}
