package io.ifpin.pin;

/** The running kernel's major.minor, from {@code os.version} (e.g. "6.1.0-18-amd64"), for version-specific advice. */
public final class KernelVersion {

    private final String text;
    private final int major;
    private final int minor;

    public KernelVersion(String text) {
        this.text = text;
        int[] parts = {0, 0};
        String[] fields = text.split("[.\\-]", 3);
        for (int i = 0; i < 2 && i < fields.length; i++) {
            try {
                parts[i] = Integer.parseInt(fields[i]);
            } catch (NumberFormatException e) {
                break;
            }
        }
        this.major = parts[0];
        this.minor = parts[1];
    }

    public static KernelVersion running() {
        return new KernelVersion(System.getProperty("os.version", "0.0"));
    }

    public boolean isOlderThan(int wantedMajor, int wantedMinor) {
        return major < wantedMajor || (major == wantedMajor && minor < wantedMinor);
    }

    @Override
    public String toString() {
        return "Linux " + text;
    }
}
