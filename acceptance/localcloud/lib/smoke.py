"""Smoke checks of the local cloud (see smoke.sh). One openstacksdk process: fast, no CLI start-up."""

import os
import re
import subprocess
import sys
import time
import traceback

import openstack

sys.path.insert(0, os.path.dirname(__file__))
from seed import MANDATORY_FLAVORS, flavor_extra_specs  # noqa: E402

SCS_0102_PROPERTIES = [
    "architecture", "os_distro", "os_version", "os_purpose", "hw_disk_bus", "image_build_date",
    "image_original_user", "image_source", "image_description", "replace_frequency",
    "provided_until", "uuid_validity"]
IMAGE_FLAVOR = "SCS-2V-4-20s"   # mandatory flavor with a root disk, big enough for min_disk 8
DISKLESS_FLAVOR = "SCS-1V-2"
TIMEOUT = int(os.environ.get("SMOKE_TIMEOUT", "120"))

passed = 0
failed = 0
prefix = f"smoke-{os.getpid()}"


def check(name):
    def wrap(fn):
        def run(*args):
            global passed, failed
            start = time.time()
            try:
                result = fn(*args)
                passed += 1
                print(f"ok   {name} ({time.time() - start:.1f}s)", flush=True)
                return result
            except Exception as exc:  # every failure is reported, the run goes on
                failed += 1
                print(f"FAIL {name}: {exc}", flush=True)
                if os.environ.get("SMOKE_DEBUG"):
                    traceback.print_exc()
                return None
        return run
    return wrap


def wait(what, fetch, ready, bad=("error",)):
    end = time.time() + TIMEOUT
    while True:
        obj = fetch()
        status = (getattr(obj, "status", "") or "").lower()
        if ready(obj):
            return obj
        if status in bad:
            raise RuntimeError(f"{what} went to {status}: {getattr(obj, 'fault', '')}")
        if time.time() > end:
            raise RuntimeError(f"timeout: {what} is {status!r}")
        time.sleep(0.5)


@check("authenticate (member via application credential; password; admin)")
def check_auth(conn, admin):
    conn.authorize()
    pw = "scs-local-password"
    clouds = openstack.config.OpenStackConfig().get_cloud_names()
    if pw in clouds:
        openstack.connect(cloud=pw).authorize()
    if admin:
        admin.authorize()


@check("15 mandatory scs-0103 flavors with exact size and extra specs")
def check_flavors(conn):
    flavors = {f.name: f for f in conn.compute.flavors(details=True)}
    problems = []
    for name, cpus, ram, disk, disk_type in MANDATORY_FLAVORS:
        f = flavors.get(name)
        if not f:
            problems.append(f"{name} missing")
            continue
        if (f.vcpus, f.ram, f.disk) != (cpus, ram * 1024, disk):
            problems.append(f"{name} is {f.vcpus}/{f.ram}/{f.disk}")
        specs = f.extra_specs or conn.compute.fetch_flavor_extra_specs(f).extra_specs or {}
        for k, v in flavor_extra_specs(name, disk_type).items():
            if specs.get(k) != v:
                problems.append(f"{name} {k}={specs.get(k)!r}, want {v!r}")
    if problems:
        raise RuntimeError("; ".join(problems))


@check("images 'Ubuntu 24.04' and 'Debian 12' public with scs-0102 properties; old build hidden")
def check_images(conn):
    visible = list(conn.image.images())
    problems = []
    for name in ("Ubuntu 24.04", "Debian 12"):
        found = [i for i in visible if i.name == name]
        if len(found) != 1:
            problems.append(f"{len(found)} visible images named {name!r}")
            continue
        img = found[0]
        if img.visibility != "public":
            problems.append(f"{name} visibility {img.visibility}")
        props = dict(img.properties or {})
        for attr in ("architecture", "os_distro", "os_version", "hw_disk_bus"):
            if getattr(img, attr, None):
                props.setdefault(attr, getattr(img, attr))
        missing = [p for p in SCS_0102_PROPERTIES if not props.get(p)]
        if missing:
            problems.append(f"{name} lacks {missing}")
        if not img.min_disk or not img.min_ram:
            problems.append(f"{name} min_disk={img.min_disk} min_ram={img.min_ram}")
    hidden = [i for i in conn.image.images(os_hidden=True) if i.name.startswith("Ubuntu 24.04 ")]
    if not hidden:
        problems.append("no hidden older 'Ubuntu 24.04 <date>' build")
    if problems:
        raise RuntimeError("; ".join(problems))
    return next(i for i in visible if i.name == "Ubuntu 24.04")


@check("tenant network, subnet and router with gateway on 'public'")
def check_network(conn):
    public = conn.network.find_network("public")
    if not public or not public.is_router_external:
        raise RuntimeError("no external network 'public'")
    net = conn.network.create_network(name=f"{prefix}-net")
    subnet = conn.network.create_subnet(name=f"{prefix}-subnet", network_id=net.id, ip_version=4,
                                        cidr="10.99.0.0/24")
    router = conn.network.create_router(name=f"{prefix}-router",
                                        external_gateway_info={"network_id": public.id})
    conn.network.add_interface_to_router(router, subnet_id=subnet.id)
    return public, net, router, subnet


@check("diskless flavor refuses image boot for a member (default nova policy)")
def check_zero_disk_policy(conn, image, net):
    flavor = conn.compute.find_flavor(DISKLESS_FLAVOR)
    try:
        server = conn.compute.create_server(name=f"{prefix}-zero", flavor_id=flavor.id,
                                            image_id=image.id, networks=[{"uuid": net.id}])
    except openstack.exceptions.HttpException as exc:
        if exc.status_code == 403:
            return
        raise
    conn.compute.delete_server(server)
    raise RuntimeError("image boot on a diskless flavor was accepted")


@check(f"server ({IMAGE_FLAVOR}, Ubuntu 24.04) ACTIVE on the tenant network, port bound")
def check_server(conn, admin, image, net):
    flavor = conn.compute.find_flavor(IMAGE_FLAVOR)
    server = conn.compute.create_server(name=f"{prefix}-vm", flavor_id=flavor.id, image_id=image.id,
                                        networks=[{"uuid": net.id}])
    server = wait("server", lambda: conn.compute.get_server(server.id),
                  lambda s: s.status == "ACTIVE")
    ports = list(conn.network.ports(device_id=server.id))
    if len(ports) != 1:
        raise RuntimeError(f"server has {len(ports)} ports")
    if admin:
        vif = admin.network.get_port(ports[0].id).binding_vif_type
        if vif in (None, "", "unbound", "binding_failed"):
            raise RuntimeError(f"port binding vif_type {vif!r}")
    return server, ports[0]


@check("volume attaches (in-use) and detaches (available)")
def check_volume(conn, server):
    vol = conn.block_storage.create_volume(name=f"{prefix}-vol", size=1)
    try:
        wait("volume", lambda: conn.block_storage.get_volume(vol.id),
             lambda v: v.status == "available")
        conn.compute.create_volume_attachment(server, volume_id=vol.id)
        wait("attach", lambda: conn.block_storage.get_volume(vol.id),
             lambda v: v.status == "in-use", bad=("error", "error_attaching", "available"))
        # raw request: the argument order of delete_volume_attachment changed between sdk releases
        resp = conn.compute.delete(f"/servers/{server.id}/os-volume_attachments/{vol.id}")
        if resp.status_code != 202:
            raise RuntimeError(f"detach request answered {resp.status_code}: {resp.text[:200]}")
        wait("detach", lambda: conn.block_storage.get_volume(vol.id),
             lambda v: v.status == "available", bad=("error", "error_detaching"))
    finally:
        try:
            conn.block_storage.delete_volume(vol.id)
        except Exception:
            pass


@check("floating IP from 'public' associates with the server's port")
def check_floating_ip(conn, public, port):
    fip = conn.network.create_ip(floating_network_id=public.id)
    try:
        conn.network.update_ip(fip, port_id=port.id)
        fip = conn.network.get_ip(fip.id)
        if fip.port_id != port.id or not fip.fixed_ip_address:
            raise RuntimeError(f"floating IP port_id={fip.port_id}")
        conn.network.update_ip(fip, port_id=None)
    finally:
        conn.network.delete_ip(fip.id)


@check(f"boot from volume on diskless {DISKLESS_FLAVOR} (volume from image) ACTIVE")
def check_boot_from_volume(conn, image, net):
    flavor = conn.compute.find_flavor(DISKLESS_FLAVOR)
    server = conn.compute.create_server(
        name=f"{prefix}-bfv", flavor_id=flavor.id, networks=[{"uuid": net.id}],
        block_device_mapping_v2=[{"boot_index": 0, "uuid": image.id, "source_type": "image",
                                  "destination_type": "volume", "volume_size": image.min_disk,
                                  "delete_on_termination": True}])
    try:
        wait("bfv server", lambda: conn.compute.get_server(server.id),
             lambda s: s.status == "ACTIVE")
    finally:
        conn.compute.delete_server(server.id)
        conn.compute.wait_for_delete(server, wait=TIMEOUT)


def local_cloud_pids():
    """PIDs of every process tree the local cloud's up.sh recorded (empty for other clouds)."""
    state = os.environ.get("LOCALCLOUD_DIR",
                           os.path.expanduser("~/.cache/terraform-provider-scs/localcloud"))
    pids_dir = os.path.join(state, "pids")
    if not os.environ.get("OS_CLOUD", "").startswith("scs-local") or not os.path.isdir(pids_dir):
        return set()
    roots = []
    for name in os.listdir(pids_dir):
        if name.endswith(".pid"):
            with open(os.path.join(pids_dir, name)) as f:
                roots.append(f.read().strip())
    seen = set()
    while roots:
        pid = roots.pop()
        if pid in seen or not os.path.isdir(f"/proc/{pid}"):
            continue
        seen.add(pid)
        for task in os.listdir(f"/proc/{pid}/task"):
            try:
                with open(f"/proc/{pid}/task/{task}/children") as f:
                    roots.extend(f.read().split())
            except OSError:
                pass
    return seen


@check("every listening socket of the local cloud is on loopback")
def check_loopback(pids):
    out = subprocess.run(["ss", "-Hltnup"], capture_output=True, text=True, check=True).stdout
    exposed = []
    for line in out.splitlines():
        fields = line.split()
        local = fields[4]
        owners = set(re.findall(r"pid=(\d+)", line))
        if owners & pids and not (local.startswith("127.") or local.startswith("[::1]")):
            exposed.append(f"{local} ({fields[-1]})")
    if exposed:
        raise RuntimeError("listening beyond loopback: " + ", ".join(exposed))


def cleanup(conn):
    """Removes everything this run created, also after failures."""
    errors = []

    def attempt(fn):
        try:
            fn()
        except Exception as exc:
            errors.append(str(exc))

    for s in conn.compute.servers(name=f"^{prefix}-"):
        attempt(lambda s=s: conn.compute.delete_server(s.id))
        attempt(lambda s=s: conn.compute.wait_for_delete(s, wait=TIMEOUT))
    for v in conn.block_storage.volumes(name=f"{prefix}-vol"):
        attempt(lambda v=v: conn.block_storage.delete_volume(v.id))
    for r in conn.network.routers(name=f"{prefix}-router"):
        for p in conn.network.ports(device_id=r.id, device_owner="network:router_interface"):
            for ip in p.fixed_ips:
                attempt(lambda r=r, ip=ip: conn.network.remove_interface_from_router(
                    r, subnet_id=ip["subnet_id"]))
        attempt(lambda r=r: conn.network.delete_router(r.id))
    for n in conn.network.networks(name=f"{prefix}-net"):
        for p in conn.network.ports(network_id=n.id):
            if p.device_owner == "":
                attempt(lambda p=p: conn.network.delete_port(p.id))
        attempt(lambda n=n: conn.network.delete_network(n.id))
    end = time.time() + TIMEOUT
    while True:
        left = [s.name for s in conn.compute.servers(name=f"^{prefix}-")]
        left += [v.id for v in conn.block_storage.volumes() if (v.name or "").startswith(prefix)]
        left += [r.name for r in conn.network.routers() if r.name.startswith(prefix)]
        left += [n.name for n in conn.network.networks() if n.name.startswith(prefix)]
        if not left or time.time() > end:
            break
        time.sleep(1)
    if left:
        errors.append(f"left behind: {left}")
    return errors


def main():
    start = time.time()
    conn = openstack.connect()
    admin_cloud = os.environ.get("SMOKE_ADMIN_CLOUD")
    admin = openstack.connect(cloud=admin_cloud) if admin_cloud else None
    print(f"smoke checks against cloud {os.environ.get('OS_CLOUD')!r}", flush=True)
    pids = local_cloud_pids()
    if pids:
        check_loopback(pids)
    try:
        check_auth(conn, admin)
        check_flavors(conn)
        image = check_images(conn)
        netw = check_network(conn)
        if image and netw:
            public, net, _router, _subnet = netw
            check_zero_disk_policy(conn, image, net)
            srv = check_server(conn, admin, image, net)
            if srv:
                server, port = srv
                check_volume(conn, server)
                check_floating_ip(conn, public, port)
            if not os.environ.get("SMOKE_QUICK"):
                check_boot_from_volume(conn, image, net)
    finally:
        errors = cleanup(conn)
    global failed, passed
    if errors:
        failed += 1
        print(f"FAIL cleanup: {'; '.join(errors)}")
    else:
        passed += 1
        print("ok   cleanup")
    print(f"({time.time() - start:.1f}s)")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
