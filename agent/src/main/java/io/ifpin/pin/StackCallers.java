package io.ifpin.pin;

import io.ifpin.rules.CallerLookup;

import java.util.function.Predicate;

/**
 * The class that opened the socket: the first frame on the stack whose class belongs to the application, i.e. is not
 * loaded by the bootstrap or platform class loader (the JDK) nor by ifpin's own loader.
 *
 * <p>The walk is lazy and stops at that frame, so its cost depends on how deep in the JDK the hook runs (about ten
 * frames for {@code Socket.connect}), not on the depth of the application's stack; it runs only when a rule with
 * {@code callers} matches everything else (docs/dev/performance.md has the numbers).
 */
public final class StackCallers implements CallerLookup {
    private static final StackWalker WALKER = StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE);

    private final Predicate<Class<?>> isApplicationClass;

    public StackCallers() {
        ClassLoader platform = ClassLoader.getPlatformClassLoader();
        ClassLoader agent = StackCallers.class.getClassLoader();
        this.isApplicationClass = type -> {
            ClassLoader loader = type.getClassLoader();
            return loader != null && loader != platform && loader != agent;
        };
    }

    /** With another notion of "application class" (benchmarks, where everything shares one loader). */
    public StackCallers(Predicate<Class<?>> isApplicationClass) {
        this.isApplicationClass = isApplicationClass;
    }

    @Override
    public String callerClassName() {
        return WALKER.walk(frames -> frames.map(StackWalker.StackFrame::getDeclaringClass)
                .filter(isApplicationClass)
                .findFirst()
                .map(Class::getName)
                .orElse(null));
    }
}
