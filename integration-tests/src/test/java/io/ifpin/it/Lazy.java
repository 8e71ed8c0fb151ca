package io.ifpin.it;

import java.util.function.Supplier;

/**
 * A memoised computation, used so that one child JVM run is shared by all the dynamic tests that
 * assert on it, and runs only when the first of them executes. A failure (including a JUnit
 * abort) is memoised too, so every dependent test reports the same cause.
 */
public final class Lazy<T> implements Supplier<T> {

    private final Supplier<T> computation;
    private boolean done;
    private T value;
    private RuntimeException runtimeFailure;
    private Error errorFailure;

    public Lazy(Supplier<T> computation) {
        this.computation = computation;
    }

    @Override
    public synchronized T get() {
        if (!done) {
            done = true;
            try {
                value = computation.get();
            } catch (RuntimeException e) {
                runtimeFailure = e;
            } catch (Error e) {
                errorFailure = e;
            }
        }
        if (runtimeFailure != null) {
            throw runtimeFailure;
        }
        if (errorFailure != null) {
            throw errorFailure;
        }
        return value;
    }
}
