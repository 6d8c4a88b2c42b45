package dev.tide.api.serving.v1;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tide.api.Fields;
import dev.tide.api.Json;
import dev.tide.api.config.DefaultsConfig;
import dev.tide.api.naming.Names;
import dev.tide.common.validation.FieldError;
import dev.tide.common.validation.FieldErrors;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Validates a revision spec (a template's {@code spec}): containers, ports, probes, env, resources, volumes,
 * {@code containerConcurrency} and the timeouts, with Knative's rules and messages.
 *
 * <p>One deliberate difference: a template with no containers is accepted. Documentation snippets (including
 * the ones Tide is tested with) often show only the annotations they discuss; Tide stores such a Service and its
 * revision reports that it has nothing to run, instead of refusing the whole manifest.
 */
public final class RevisionSpecValidator {

    /** Kubernetes resource quantities: {@code 3}, {@code 500m}, {@code 1Gi}, {@code 1e3}. */
    private static final Pattern QUANTITY =
            Pattern.compile("[+-]?(\\d+(\\.\\d*)?|\\.\\d+)(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?\\d+)?");
    private static final Pattern ENV_NAME = Pattern.compile("[-._a-zA-Z][-._a-zA-Z0-9]*");
    private static final List<String> PROBE_HANDLERS = List.of("httpGet", "tcpSocket", "exec", "grpc");
    private static final List<String> VOLUME_SOURCES =
            List.of("secret", "configMap", "persistentVolumeClaim", "emptyDir", "projected");

    private RevisionSpecValidator() {
    }

    public static void validate(JsonNode spec, DefaultsConfig defaults, String path, FieldErrors errors) {
        if (spec == null) {
            return;
        }
        Fields.integer(spec, "containerConcurrency", path + ".containerConcurrency", errors).ifPresent(cc -> {
            if (cc < 0 || cc > defaults.containerConcurrencyMaxLimit()) {
                errors.add(FieldError.outOfBounds(cc, 0, defaults.containerConcurrencyMaxLimit(), path + ".containerConcurrency"));
            }
        });
        for (String timeout : List.of("timeoutSeconds", "responseStartTimeoutSeconds", "idleTimeoutSeconds")) {
            Fields.integer(spec, timeout, path + "." + timeout, errors).ifPresent(t -> {
                if (t < 0 || t > defaults.maxRevisionTimeoutSeconds()) {
                    errors.add(FieldError.outOfBounds(t, 0, defaults.maxRevisionTimeoutSeconds(), path + "." + timeout));
                }
            });
        }
        Set<String> volumes = validateVolumes(spec, path, errors);
        JsonNode containers = Fields.array(spec, "containers", path + ".containers", errors);
        int withPorts = 0;
        Set<String> names = new HashSet<>();
        for (int i = 0; i < containers.size(); i++) {
            JsonNode c = containers.get(i);
            String cp = path + ".containers[" + i + "]";
            if (!c.isObject()) {
                errors.add(FieldError.invalidValue(c.toString(), cp, "expected an object"));
                continue;
            }
            if (c.path("ports").size() > 0) {
                withPorts++;
            }
            Fields.string(c, "name", cp + ".name", errors).ifPresent(n -> {
                if (n.isEmpty()) {
                    return; // as unset: the revision gets the default name (kn sends "")
                }
                if (!Names.isDns1123Label(n)) {
                    errors.add(FieldError.invalidValue(n, cp + ".name", "a container name must be a DNS-1123 label"));
                } else if (!names.add(n)) {
                    errors.add(FieldError.of("duplicate container name \"" + n + "\"", cp + ".name"));
                }
            });
            validateContainer(c, containers.size() > 1, volumes, cp, errors);
        }
        if (containers.size() > 1 && withPorts != 1) {
            errors.add(FieldError.of("exactly one container must set ports when there are several (it receives the traffic), "
                    + withPorts + " do", path + ".containers"));
        }
    }

    /** Validates one container's fields at {@code path} (e.g. a KServe model spec, which is a container). */
    public static void container(JsonNode c, String path, FieldErrors errors) {
        validateContainer(c, false, null, path, errors);
    }

    private static void validateContainer(JsonNode c, boolean multi, Set<String> volumes, String cp, FieldErrors errors) {
        Fields.string(c, "image", cp + ".image", errors);
        Fields.string(c, "workingDir", cp + ".workingDir", errors);
        for (String list : List.of("command", "args")) {
            JsonNode items = Fields.array(c, list, cp + "." + list, errors);
            for (int j = 0; j < items.size(); j++) {
                if (!items.get(j).isTextual()) {
                    errors.add(FieldError.invalidValue(items.get(j).toString(), cp + "." + list + "[" + j + "]", "expected a string"));
                }
            }
        }
        JsonNode ports = Fields.array(c, "ports", cp + ".ports", errors);
        if (ports.size() > 1) {
            errors.add(FieldError.of("more than one container port is set", cp + ".ports"));
        }
        for (int j = 0; j < ports.size(); j++) {
            JsonNode p = ports.get(j);
            String pp = cp + ".ports[" + j + "]";
            Fields.integer(p, "containerPort", pp + ".containerPort", errors).ifPresent(port -> {
                if (port < 1 || port > 65535) {
                    errors.add(FieldError.outOfBounds(port, 1, 65535, pp + ".containerPort"));
                }
            });
            Fields.string(p, "name", pp + ".name", errors).ifPresent(n -> {
                if (!n.isEmpty() && !n.equals("http1") && !n.equals("h2c")) {
                    errors.add(FieldError.invalidValue(n, pp + ".name", "the port name selects the protocol: http1 or h2c"));
                }
            });
            Fields.string(p, "protocol", pp + ".protocol", errors).ifPresent(proto -> {
                if (!proto.isEmpty() && !proto.equals("TCP")) {
                    errors.add(FieldError.invalidValue(proto, pp + ".protocol", "only TCP is served"));
                }
            });
        }
        validateEnv(c, cp, errors);
        JsonNode resources = Fields.object(c, "resources", cp + ".resources", errors);
        if (resources != null) {
            for (String kind : List.of("limits", "requests")) {
                JsonNode q = Fields.object(resources, kind, cp + ".resources." + kind, errors);
                if (q != null) {
                    q.properties().forEach(e -> {
                        String v = e.getValue().asText();
                        if (!e.getValue().isValueNode() || !QUANTITY.matcher(v).matches()) {
                            errors.add(FieldError.invalidValue(e.getValue().isValueNode() ? v : e.getValue().toString(),
                                    cp + ".resources." + kind + "[" + e.getKey() + "]", "expected a quantity such as 1, 500m or 2Gi"));
                        }
                    });
                }
            }
        }
        JsonNode mounts = Fields.array(c, "volumeMounts", cp + ".volumeMounts", errors);
        for (int j = 0; j < mounts.size(); j++) {
            String mp = cp + ".volumeMounts[" + j + "]";
            String name = Json.text(mounts.get(j), "name");
            String mountPath = Json.text(mounts.get(j), "mountPath");
            if (name == null) {
                errors.add(FieldError.missingField(mp + ".name"));
            } else if (volumes != null && !volumes.contains(name)) {
                errors.add(FieldError.invalidValue(name, mp + ".name", "no volume of that name in spec.volumes"));
            }
            if (mountPath == null) {
                errors.add(FieldError.missingField(mp + ".mountPath"));
            } else if (!mountPath.startsWith("/")) {
                errors.add(FieldError.invalidValue(mountPath, mp + ".mountPath", "must be an absolute path"));
            }
        }
        validateProbe(Fields.object(c, "readinessProbe", cp + ".readinessProbe", errors), false, cp + ".readinessProbe", errors);
        validateProbe(Fields.object(c, "livenessProbe", cp + ".livenessProbe", errors), true, cp + ".livenessProbe", errors);
        if (multi && c.path("ports").isEmpty() && c.has("readinessProbe") && c.get("readinessProbe").has("tcpSocket")
                && !c.get("readinessProbe").get("tcpSocket").has("port")) {
            errors.add(FieldError.missingField(cp + ".readinessProbe.tcpSocket.port"));
        }
    }

    private static void validateEnv(JsonNode c, String cp, FieldErrors errors) {
        JsonNode env = Fields.array(c, "env", cp + ".env", errors);
        for (int j = 0; j < env.size(); j++) {
            JsonNode e = env.get(j);
            String ep = cp + ".env[" + j + "]";
            String name = Json.text(e, "name");
            if (name == null || name.isEmpty()) {
                errors.add(FieldError.missingField(ep + ".name"));
            } else if (!ENV_NAME.matcher(name).matches()) {
                errors.add(FieldError.invalidValue(name, ep + ".name", "an environment variable name is letters, digits, '_', '-' and '.', not starting with a digit"));
            }
            boolean hasValue = e.has("value") && !e.get("value").isNull();
            JsonNode from = e.get("valueFrom");
            if (hasValue && from != null && !from.isNull()) {
                errors.add(FieldError.bothSet(ep + ".value", ep + ".valueFrom"));
            }
            if (hasValue && !e.get("value").isValueNode()) {
                errors.add(FieldError.invalidValue(e.get("value").toString(), ep + ".value", "expected a string"));
            }
            if (from != null && !from.isNull()) {
                int sources = 0;
                for (String ref : List.of("secretKeyRef", "configMapKeyRef", "fieldRef", "resourceFieldRef")) {
                    JsonNode r = from.get(ref);
                    if (r == null) {
                        continue;
                    }
                    sources++;
                    if ((ref.equals("secretKeyRef") || ref.equals("configMapKeyRef"))) {
                        if (Json.text(r, "name") == null) {
                            errors.add(FieldError.missingField(ep + ".valueFrom." + ref + ".name"));
                        }
                        if (Json.text(r, "key") == null) {
                            errors.add(FieldError.missingField(ep + ".valueFrom." + ref + ".key"));
                        }
                    }
                }
                if (sources != 1) {
                    errors.add(sources == 0
                            ? FieldError.neitherSet(ep + ".valueFrom.secretKeyRef", ep + ".valueFrom.configMapKeyRef")
                            : FieldError.of("expected exactly one source", ep + ".valueFrom"));
                }
            }
        }
    }

    static void validateProbe(JsonNode probe, boolean liveness, String pp, FieldErrors errors) {
        if (probe == null) {
            return;
        }
        List<String> handlers = PROBE_HANDLERS.stream().filter(h -> Fields.isSet(probe, h)).toList();
        if (handlers.size() > 1) {
            errors.add(new FieldError("expected exactly one, got both",
                    handlers.stream().map(h -> pp + "." + h).toList(), ""));
        } else if (handlers.isEmpty() && liveness) {
            errors.add(new FieldError("expected exactly one, got neither",
                    PROBE_HANDLERS.stream().map(h -> pp + "." + h).toList(), ""));
        }
        for (String h : List.of("httpGet", "tcpSocket", "grpc")) {
            JsonNode handler = probe.get(h);
            if (handler == null || handler.isNull()) {
                continue;
            }
            JsonNode port = handler.get("port");
            if (port != null && port.isNumber() && (port.asLong() < 0 || port.asLong() > 65535)) {
                errors.add(FieldError.outOfBounds(port.asLong(), 0, 65535, pp + "." + h + ".port"));
            } else if (port != null && port.isTextual() && !Names.isDns1123Label(port.asText())) {
                errors.add(FieldError.invalidValue(port.asText(), pp + "." + h + ".port", "expected a port number or a port name"));
            }
        }
        JsonNode http = probe.get("httpGet");
        if (http != null && !http.isNull()) {
            String path = Json.text(http, "path");
            if (path != null && !path.isEmpty() && !path.startsWith("/")) {
                errors.add(FieldError.invalidValue(path, pp + ".httpGet.path", "must start with /"));
            }
            String scheme = Json.text(http, "scheme");
            if (scheme != null && !scheme.equals("HTTP") && !scheme.equals("HTTPS")) {
                errors.add(FieldError.invalidValue(scheme, pp + ".httpGet.scheme", "expected HTTP or HTTPS"));
            }
        }
        JsonNode exec = probe.get("exec");
        if (exec != null && !exec.isNull() && exec.path("command").isEmpty()) {
            errors.add(FieldError.missingField(pp + ".exec.command"));
        }
        Fields.integer(probe, "initialDelaySeconds", pp + ".initialDelaySeconds", errors).ifPresent(v -> atLeast(v, 0, pp + ".initialDelaySeconds", errors));
        // Knative lets a readiness probe's period be 0: it then probes aggressively until ready.
        Fields.integer(probe, "periodSeconds", pp + ".periodSeconds", errors).ifPresent(v -> atLeast(v, liveness ? 1 : 0, pp + ".periodSeconds", errors));
        Fields.integer(probe, "timeoutSeconds", pp + ".timeoutSeconds", errors).ifPresent(v -> atLeast(v, 0, pp + ".timeoutSeconds", errors));
        Fields.integer(probe, "failureThreshold", pp + ".failureThreshold", errors).ifPresent(v -> atLeast(v, 1, pp + ".failureThreshold", errors));
        Fields.integer(probe, "successThreshold", pp + ".successThreshold", errors).ifPresent(v -> {
            if (liveness && v != 1) {
                errors.add(FieldError.outOfBounds(v, 1, 1, pp + ".successThreshold"));
            } else {
                atLeast(v, 1, pp + ".successThreshold", errors);
            }
        });
    }

    private static void atLeast(long v, long min, String path, FieldErrors errors) {
        if (v < min) {
            errors.add(FieldError.outOfBounds(v, min, Integer.MAX_VALUE, path));
        }
    }

    private static Set<String> validateVolumes(JsonNode spec, String path, FieldErrors errors) {
        Set<String> names = new HashSet<>();
        JsonNode volumes = Fields.array(spec, "volumes", path + ".volumes", errors);
        for (int i = 0; i < volumes.size(); i++) {
            JsonNode v = volumes.get(i);
            String vp = path + ".volumes[" + i + "]";
            String name = Json.text(v, "name");
            if (name == null) {
                errors.add(FieldError.missingField(vp + ".name"));
            } else if (!names.add(name)) {
                errors.add(FieldError.of("duplicate volume name \"" + name + "\"", vp + ".name"));
            }
            List<String> sources = VOLUME_SOURCES.stream().filter(s -> Fields.isSet(v, s)).toList();
            if (sources.size() != 1) {
                errors.add(new FieldError(sources.isEmpty() ? "expected exactly one, got neither" : "expected exactly one, got both",
                        (sources.isEmpty() ? VOLUME_SOURCES : sources).stream().map(s -> vp + "." + s).toList(), ""));
            }
            JsonNode pvc = v.get("persistentVolumeClaim");
            if (pvc != null && !pvc.isNull() && Json.text(pvc, "claimName") == null) {
                errors.add(FieldError.missingField(vp + ".persistentVolumeClaim.claimName"));
            }
        }
        return names;
    }
}
