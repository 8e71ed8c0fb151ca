package io.ifpin.core;

import io.ifpin.config.ConfigLoader;
import io.ifpin.config.IfpinConfig;
import io.ifpin.config.InvalidConfigException;
import io.ifpin.log.IfpinLog;
import io.ifpin.metrics.Metrics;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * {@code reload-interval}: the daemon thread {@code ifpin-reload} reads the config file every interval and, when its
 * text changed, loads and validates it completely before handing it over; a file that does not load keeps the rules
 * in force and is reported once (file:line and fix), like at startup.
 *
 * <p>Only the rules and the settings that decide a socket's fate change on reload ({@code rules},
 * {@code default-action}, {@code default-interface}, {@code on-error}); the log settings, the audit settings,
 * {@code metrics} and the interval itself are fixed at startup, and a change to them is reported as needing a restart.
 * Sockets already open keep their binding.
 */
final class ConfigReloader {
    private final Path file;
    private final Duration interval;
    private final Consumer<IfpinConfig> apply;
    private final Metrics metrics;
    private IfpinConfig inForce;
    private byte[] lastText;

    ConfigReloader(Path file, IfpinConfig initial, byte[] initialText, Consumer<IfpinConfig> apply, Metrics metrics) {
        this.file = file;
        this.interval = initial.reloadInterval().orElseThrow();
        this.inForce = initial;
        this.lastText = initialText;
        this.apply = apply;
        this.metrics = metrics;
    }

    void start() {
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

    /** Reloads when the file's text changed; visible for tests. */
    void checkOnce() {
        byte[] text;
        try {
            text = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            reportOnce(new byte[0], "config file " + file + " is gone; the rules in force stay. Fix: put it back"
                    + " (editors that save by rename are fine: the file is read again next time)");
            return;
        } catch (IOException e) {
            reportOnce(new byte[0], "cannot read config file " + file + " (" + e + "); the rules in force stay");
            return;
        }
        if (Arrays.equals(text, lastText)) {
            return;
        }
        IfpinConfig loaded;
        try {
            loaded = ConfigLoader.load(file);
        } catch (InvalidConfigException e) {
            reportOnce(text, "config reload from " + file + " refused, the " + inForce.rules().rules().size()
                    + " rule(s) of version " + ConfigVersion.of(lastText) + " stay in force:\n" + e.getMessage());
            return;
        }
        lastText = text;
        for (String change : restartOnlyChanges(inForce, loaded)) {
            IfpinLog.warn("config reload: " + change + " changed in " + file + "; that takes effect only when the"
                    + " application restarts");
        }
        apply.accept(loaded);
        inForce = loaded;
        metrics.configLoaded(new Metrics.ConfigInfo(file.toString(), ConfigVersion.of(text), Instant.now(),
                ConfigVersion.ruleNames(loaded)), true);
        IfpinLog.info("config reloaded from " + file + " (version " + ConfigVersion.of(text) + "): "
                + loaded.rules().rules().size() + " rule(s) " + loaded.rules().rules() + ", default "
                + loaded.defaultRule().target() + "; sockets already open keep their binding");
    }

    /** One ERROR per broken text, not one per interval. */
    private void reportOnce(byte[] text, String message) {
        if (Arrays.equals(text, lastText)) {
            return;
        }
        lastText = text;
        metrics.reloadFailed();
        IfpinLog.error(message);
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
