package io.devarno.realtime.deploy;

import static io.devarno.realtime.deploy.Dockerfiles.dockerfileUser;
import static io.devarno.realtime.deploy.Manifests.render;
import static io.devarno.realtime.deploy.Manifests.volume;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import io.devarno.realtime.deploy.Manifests.Rendered;
import io.devarno.realtime.support.NeedsKubectl;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.SeccompProfile;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;

/** Pod and container security: non-root as the images' user, a read-only root with a writable /tmp, nothing added. */
@NeedsKubectl
class SecurityManifestsTest {

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.devarno.realtime.deploy.Manifests#kustomizations")
    void containersRunAsNonRootWithReadOnlyRootAndNoPrivilegeEscalation(String dir) throws IOException {
        Rendered rendered = render(dir);
        for (Deployment deployment : rendered.all(Deployment.class)) {
            PodSpec pod = deployment.getSpec().getTemplate().getSpec();
            PodSecurityContext podContext =
                    Objects.requireNonNullElse(pod.getSecurityContext(), new PodSecurityContext());
            List<Container> containers = new ArrayList<>(pod.getContainers());
            if (pod.getInitContainers() != null) {
                containers.addAll(pod.getInitContainers());
            }
            assertFalse(
                    Boolean.TRUE.equals(pod.getHostNetwork())
                            || Boolean.TRUE.equals(pod.getHostPID())
                            || Boolean.TRUE.equals(pod.getHostIPC()),
                    dir + ": no host namespaces");
            for (Container container : containers) {
                String what = dir + ": " + deployment.getMetadata().getName() + "/" + container.getName();
                SecurityContext sc = Objects.requireNonNullElse(container.getSecurityContext(), new SecurityContext());
                Boolean nonRoot = sc.getRunAsNonRoot() != null ? sc.getRunAsNonRoot() : podContext.getRunAsNonRoot();
                Long user = sc.getRunAsUser() != null ? sc.getRunAsUser() : podContext.getRunAsUser();
                SeccompProfile seccomp =
                        sc.getSeccompProfile() != null ? sc.getSeccompProfile() : podContext.getSeccompProfile();
                assertEquals(Boolean.TRUE, nonRoot, what + ": runAsNonRoot must be true");
                assertNotNull(user, what + ": runAsUser must be set");
                assertNotEquals(0L, user, what + ": runAsUser must not be 0");
                assertEquals(
                        Boolean.TRUE, sc.getReadOnlyRootFilesystem(), what + ": readOnlyRootFilesystem must be true");
                assertEquals(
                        Boolean.FALSE,
                        sc.getAllowPrivilegeEscalation(),
                        what + ": allowPrivilegeEscalation must be false");
                assertNotEquals(Boolean.TRUE, sc.getPrivileged(), what + ": must not be privileged");
                assertTrue(
                        sc.getCapabilities() != null
                                && sc.getCapabilities().getDrop() != null
                                && sc.getCapabilities().getDrop().contains("ALL"),
                        what + ": capabilities must drop ALL");
                assertTrue(
                        sc.getCapabilities().getAdd() == null
                                || sc.getCapabilities().getAdd().isEmpty(),
                        what + ": no added capabilities");
                assertNotNull(seccomp, what + ": a seccomp profile is required");
                assertEquals("RuntimeDefault", seccomp.getType(), what + ": seccompProfile must be RuntimeDefault");
            }
        }

        // The realtime container runs as the USER of one of the two images.
        Container app = rendered.container();
        PodSecurityContext podContext =
                rendered.deployment().getSpec().getTemplate().getSpec().getSecurityContext();
        Long user = app.getSecurityContext().getRunAsUser() != null
                ? app.getSecurityContext().getRunAsUser()
                : podContext == null ? null : podContext.getRunAsUser();
        Set<Long> imageUsers = Stream.of(dockerfileUser("Dockerfile.native-micro"), dockerfileUser("Dockerfile.jvm"))
                .filter(u -> u.matches("\\d+"))
                .map(Long::valueOf)
                .collect(Collectors.toSet());
        assertTrue(
                imageUsers.contains(user), dir + ": runAsUser " + user + " is not the user of an image " + imageUsers);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.devarno.realtime.deploy.Manifests#kustomizations")
    void tmpIsAWritableEmptyDir(String dir) {
        Rendered rendered = render(dir);
        PodSpec pod = rendered.deployment().getSpec().getTemplate().getSpec();
        VolumeMount tmp = rendered.container().getVolumeMounts().stream()
                .filter(m -> "/tmp".equals(m.getMountPath()))
                .findFirst()
                .orElseGet(() -> fail(dir + ": /tmp must be a mounted volume (the root filesystem is read-only)"));
        assertNotEquals(Boolean.TRUE, tmp.getReadOnly(), dir + ": /tmp must be writable");
        Volume volume = volume(pod, tmp.getName()).orElseGet(() -> fail(dir + ": no volume " + tmp.getName()));
        assertNotNull(volume.getEmptyDir(), dir + ": /tmp should be an emptyDir");
    }
}
