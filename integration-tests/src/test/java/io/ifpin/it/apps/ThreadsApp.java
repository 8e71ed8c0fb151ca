package io.ifpin.it.apps;

/** Prints the names of the JVM's threads, one a line, and exits. */
public final class ThreadsApp {

    private ThreadsApp() {
    }

    public static void main(String[] args) {
        for (Thread thread : Thread.getAllStackTraces().keySet()) {
            System.out.println("thread " + thread.getName());
        }
    }
}
