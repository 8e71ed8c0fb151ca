package io.ifpin.it.apps;

import javax.management.MBeanServer;
import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.logging.LogManager;

/**
 * Sets up {@code java.util.logging} the way JBoss/WildFly does: late (1.5 s after start), with a log manager class of
 * its own loader, made the context loader first. Prints which log manager it got, then whether ifpin's MBean shows up
 * afterwards (a bounded wait). Argument: the directory holding {@code io/ifpin/it/apps/lm/AppLogManager.class}.
 */
public final class LateLogManagerApp {

    private LateLogManagerApp() {
    }

    public static void main(String[] args) throws Exception {
        Thread.sleep(1500);
        URLClassLoader own = new URLClassLoader(new URL[] {Path.of(args[0]).toUri().toURL()},
                LateLogManagerApp.class.getClassLoader());
        Thread.currentThread().setContextClassLoader(own);
        System.setProperty("java.util.logging.manager", "io.ifpin.it.apps.lm.AppLogManager");
        System.out.println("log manager: " + LogManager.getLogManager().getClass().getName());
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        ObjectName ifpin = new ObjectName("ifpin:type=Rules");
        boolean registered = server.isRegistered(ifpin);
        for (int i = 0; i < 200 && !registered; i++) {
            Thread.sleep(50);
            registered = server.isRegistered(ifpin);
        }
        System.out.println("ifpin MBean registered after the application's logging: " + registered);
    }
}
