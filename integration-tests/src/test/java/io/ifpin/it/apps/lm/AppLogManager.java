package io.ifpin.it.apps.lm;

import java.util.logging.LogManager;

/**
 * An application's own log manager, as an application server has one: EarlyStartIT puts it on no class path, only in
 * a {@code URLClassLoader} that {@link io.ifpin.it.apps.LateLogManagerApp} makes its context loader.
 */
public class AppLogManager extends LogManager {
    public AppLogManager() {
        super();
    }
}
