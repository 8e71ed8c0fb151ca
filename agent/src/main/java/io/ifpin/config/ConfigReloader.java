package io.ifpin.config;

import io.ifpin.log.IfpinLog;
import io.ifpin.metrics.Metrics;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * {@code reload-interval}: the daemon thread {@code ifpin-reload} reads the config file every interval and, when its
 * text changed, loads and validates it completely before handing it over; a file that does not load keeps the rules
 * in force and is reported once (file:line and fix), like at startup.
 *
 * <p>A reload never widens the policy because the file was caught half-written (an editor or {@code cp} truncates
 * it first, then writes): an empty file is refused like a broken one, and a config that lowers enforcement
 * ({@link EnforcementChange}: fewer or weaker deny/pin rules, a weaker default) is applied only once the file has
 * stayed the same (text and modification time) for {@link #settleTime} (one more interval, at least 1 s), and is
 * logged at WARN with what it lowers. Any other change applies at once.
 *
 * <p>Only the rules and the settings that decide a socket's fate change on reload ({@code rules},
 * {@code default-action}, {@code default-interface}, {@code on-error}, {@code mode}: enforce to observe lowers
 * enforcement, so it waits for the file to settle; {@code -Difpin.mode} holds on reload too); the log settings, the audit settings,
 * {@code metrics} and the interval itself are fixed at startup, and a change to them is reported as needing a restart.
 * Sockets already open keep their binding.
 */
public final class ConfigReloader {
    /** The shortest a lowering config must stay unchanged before it applies. */
    static final Duration MIN_SETTLE_TIME = Duration.ofSeconds(1);
    /** The "text" remembered for a file that is gone, so that it is reported once. */
    private static final String GONE = "\0gone";

    private final Path file;
    private final Duration interval;
    private final Consumer<IfpinConfig> apply;
    private final Metrics metrics;
    private final LongSupplier nanoTime;
    private IfpinConfig inForce;
    private String inForceText;
    /** The last text acted on (applied, refused, or waiting): each is reported once. */
    private String lastSeen;
    private Pending pending;

    /** A config that lowers enforcement, waiting for the file to settle. */
    private record Pending(String text, FileTime modified, long sinceNanos, List<String> lowered) {
    }

    public ConfigReloader(Path file, IfpinConfig initial, byte[] initialText, Consumer<IfpinConfig> apply,
                          Metrics metrics) {
        this(file, initial, initialText, apply, metrics, System::nanoTime);
    }

    ConfigReloader(Path file, IfpinConfig initial, byte[] initialText, Consumer<IfpinConfig> apply, Metrics metrics,
                   LongSupplier nanoTime) {
        this.file = file;
        this.interval = initial.reloadInterval().orElseThrow();
        this.inForce = initial;
        this.inForceText = new String(initialText, StandardCharsets.UTF_8);
        this.lastSeen = inForceText;
        this.apply = apply;
        this.metrics = metrics;
        this.nanoTime = nanoTime;
    }

    public void start() {
        Thread thread = new Thread(this::run, "ifpin-reload");
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        while (true) {
            try {
                Thread.sleep(interval.toMillis());
                checkOnce();
            } catch (InterruptedException e) {
                return;
            } catch (Throwable t) {
                IfpinLog.error("config reload check failed: " + t + "; the rules in force stay, and the check is"
                        + " retried in " + interval.toMillis() + " ms");
            }
        }
    }

    /** How long a config that lowers enforcement must stay unchanged before it applies: one interval, at least 1 s. */
    Duration settleTime() {
        return interval.compareTo(MIN_SETTLE_TIME) > 0 ? interval : MIN_SETTLE_TIME;
    }

    /** Reloads when the file's text changed; visible for tests. */
    void checkOnce() {
        if (!Files.exists(file)) {
            reportOnce(GONE, "config file " + file + " is gone; the rules in force stay. Fix: put it back"
                    + " (editors that save by rename are fine: the file is read again next time)");
            return;
        }
        FileTime modified = modifiedTime();
        String text;
        try {
            text = ConfigLoader.readText(file);
        } catch (InvalidConfigException e) {
            reportOnce(e.getMessage(), refused() + e.getMessage());
            return;
        }
        if (text.equals(inForceText)) {
            if (!text.equals(lastSeen)) {
                lastSeen = text;
                pending = null;
                IfpinLog.info("config file " + file + " is back to version " + version(text) + ", the one in"
                        + " force; nothing changes");
            }
            return;
        }
        if (text.isBlank()) { // every blank text is one "empty file", reported once
            reportOnce("", "config reload from " + file + " refused: the file is empty, and the "
                    + inForce.rules().rules().size() + " rule(s) of version " + version(inForceText) + " stay in force"
                    + " (an empty file is what an editor or cp leaves for a moment while writing). Fix: nothing if"
                    + " it is being written; to remove every rule, write ifpin { rules = [] }");
            return;
        }
        long now = nanoTime.getAsLong();
        if (pending != null && pending.text().equals(text)) { // waiting: parsed again only once settled
            if (!Objects.equals(pending.modified(), modified)) {
                pending = new Pending(text, modified, now, pending.lowered()); // written again
            } else if (now - pending.sinceNanos() >= settleTime().toNanos()) {
                // Parsed again: an included file is not part of the text compared, and may have been caught
                // half-written (or missing) when the wait began.
                parseAndApply(text, modified, now, pending.lowered());
            }
            return;
        }
        if (text.equals(lastSeen)) {
            return; // refused before, reported then
        }
        parseAndApply(text, modified, now, null);
    }

    /**
     * Parses {@code text} and applies it when it lowers nothing, or lowers what the file already settled with
     * ({@code settled}: the lowering waited for, null when none was); otherwise waits for the file to settle.
     */
    private void parseAndApply(String text, FileTime modified, long now, List<String> settled) {
        ConfigLoader.Loaded loaded = parsedOrReported(text);
        if (loaded == null) {
            return;
        }
        List<String> lowered = EnforcementChange.lowered(inForce, loaded.config());
        if (lowered.isEmpty()) {
            applyNow(loaded, text);
        } else if (lowered.equals(settled)) {
            IfpinLog.warn("config reload from " + file + " lowers enforcement, applied now that the file stayed"
                    + " unchanged for " + settleTime().toMillis() + " ms: " + String.join("; ", lowered));
            applyNow(loaded, text);
        } else {
            startWaiting(text, modified, now, lowered);
        }
    }

    /** The parsed text, or null when it does not load (reported, also when the text was seen while waiting). */
    private ConfigLoader.Loaded parsedOrReported(String text) {
        try {
            return ModeOverride.apply(ConfigLoader.parseFile(file, text), System.getProperty(Mode.PROPERTY));
        } catch (InvalidConfigException e) {
            lastSeen = null; // a text that waited and now fails (an included file broke) is reported too
            reportOnce(text, refused() + e.getMessage());
            return null;
        }
    }

    private void startWaiting(String text, FileTime modified, long now, List<String> lowered) {
        pending = new Pending(text, modified, now, lowered);
        lastSeen = text;
        IfpinLog.warn("config reload from " + file + " (version " + version(text) + ") lowers enforcement: "
                + String.join("; ", lowered) + ". It applies only if the file stays unchanged for "
                + settleTime().toMillis() + " ms (a file caught half-written changes again before that); until then"
                + " the " + inForce.rules().rules().size() + " rule(s) of version " + version(inForceText)
                + " stay in force");
    }

    private String refused() {
        return "config reload from " + file + " refused, the " + inForce.rules().rules().size()
                + " rule(s) of version " + version(inForceText) + " stay in force:\n";
    }

    private void applyNow(ConfigLoader.Loaded loaded, String text) {
        IfpinConfig config = loaded.config();
        for (String change : restartOnlyChanges(inForce, config)) {
            IfpinLog.warn("config reload: " + change + " changed in " + file + "; that takes effect only when the"
                    + " application restarts");
        }
        for (String warning : loaded.warnings()) {
            IfpinLog.warn(warning);
        }
        apply.accept(config);
        inForce = config;
        inForceText = text;
        lastSeen = text;
        pending = null;
        metrics.configLoaded(new Metrics.ConfigInfo(file.toString(), version(text), Instant.now(),
                ConfigVersion.ruleNames(config), config.mode().label()), true);
        IfpinLog.info("config reloaded from " + file + " (version " + version(text) + "): "
                + (config.observing() ? "observe mode (no socket is touched), " : "")
                + config.rules().rules().size() + " rule(s) " + config.rules().rules() + ", default "
                + config.defaultRule().target() + "; sockets already open keep their binding");
    }

    /** One ERROR per broken text, not one per interval; a config waiting to settle is dropped. */
    private void reportOnce(String text, String message) {
        pending = null;
        if (text.equals(lastSeen)) {
            return;
        }
        lastSeen = text;
        metrics.reloadFailed();
        IfpinLog.error(message);
    }

    private FileTime modifiedTime() {
        try {
            return Files.getLastModifiedTime(file);
        } catch (IOException e) {
            return null;
        }
    }

    private static String version(String text) {
        return ConfigVersion.of(text.getBytes(StandardCharsets.UTF_8));
    }

    private static List<String> restartOnlyChanges(IfpinConfig before, IfpinConfig after) {
        List<String> changes = new ArrayList<>();
        if (!Objects.equals(before.audit(), after.audit())) {
            changes.add("ifpin.audit");
        }
        if (!Objects.equals(before.log(), after.log())) {
            changes.add("ifpin.log");
        }
        if (before.jmx() != after.jmx()) {
            changes.add("ifpin.metrics.jmx");
        }
        if (!Objects.equals(before.reloadInterval(), after.reloadInterval())) {
            changes.add("ifpin.reload-interval");
        }
        return changes;
    }
}
