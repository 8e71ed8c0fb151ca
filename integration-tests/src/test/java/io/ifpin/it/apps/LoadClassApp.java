package io.ifpin.it.apps;

/** Test-only app: loads (and initializes) the classes named on the command line, prints "loaded <name>" for each. */
public final class LoadClassApp {

    private LoadClassApp() {
    }

    public static void main(String[] args) throws Exception {
        for (String name : args) {
            Class.forName(name);
            System.out.println("loaded " + name);
        }
    }
}
