"""Seeds the local cloud so that it looks like an SCS-compliant cloud (find-or-create, idempotent).

Run by up.sh with Debian's /usr/bin/python3 and OS_CLIENT_CONFIG_FILE pointing at the written
clouds.yaml. Modes: identity, content, appcred, wait-compute, wait-agents.
"""

import datetime
import os
import sys
import time

import openstack

IP = os.environ.get("IP", "127.0.0.1")
REGION = os.environ.get("REGION", "RegionOne")
PROJECT = "scs-project"
MEMBER = "scs-member"
APPCRED = "scs-local"

# scs-0103 v1: name, vCPUs, RAM GiB, root disk GB, disk0 type. The cpu type follows from the
# letter after the vCPU count (V = shared-core, L = crowded-core); v1 names use ':' where v2 use '-'.
MANDATORY_FLAVORS = [
    ("SCS-1V-4", 1, 4, 0, None), ("SCS-2V-8", 2, 8, 0, None), ("SCS-4V-16", 4, 16, 0, None),
    ("SCS-4V-16-100s", 4, 16, 100, "ssd"), ("SCS-8V-32", 8, 32, 0, None),
    ("SCS-1V-2", 1, 2, 0, None), ("SCS-2V-4", 2, 4, 0, None), ("SCS-2V-4-20s", 2, 4, 20, "ssd"),
    ("SCS-4V-8", 4, 8, 0, None), ("SCS-8V-16", 8, 16, 0, None), ("SCS-16V-32", 16, 32, 0, None),
    ("SCS-1V-8", 1, 8, 0, None), ("SCS-2V-16", 2, 16, 0, None), ("SCS-4V-32", 4, 32, 0, None),
    ("SCS-1L-1", 1, 1, 0, None),
]
# Recommended ones; their names carry no disk type letter, so scs-0103 sets no disk0-type for them.
RECOMMENDED_FLAVORS = [
    ("SCS-1V-4-10", 1, 4, 10, None), ("SCS-2V-8-20", 2, 8, 20, None),
    ("SCS-4V-16-50", 4, 16, 50, None), ("SCS-8V-32-100", 8, 32, 100, None),
    ("SCS-1V-2-5", 1, 2, 5, None), ("SCS-2V-4-10", 2, 4, 10, None),
    ("SCS-4V-8-20", 4, 8, 20, None), ("SCS-8V-16-50", 8, 16, 50, None),
    ("SCS-16V-32-100", 16, 32, 100, None), ("SCS-1V-8-20", 1, 8, 20, None),
    ("SCS-2V-16-50", 2, 16, 50, None), ("SCS-4V-32-100", 4, 32, 100, None),
    ("SCS-1L-1-5", 1, 1, 5, None),
]

VOLUME_TYPE = "replicated"
# scs-0114: aspects in brackets at the very start of the description.
VOLUME_TYPE_DESCRIPTION = (
    "[scs:replicated] Replicated volumes (local test cloud: declared only, its NFS-on-bind-mount "
    "backend keeps one copy)")


def flavor_extra_specs(name, disk_type):
    cpu_letter = name.split("-")[1][-1]
    specs = {
        "scs:name-v1": name.replace("-", ":").replace(":", "-", 1),
        "scs:name-v2": name,
        "scs:cpu-type": {"V": "shared-core", "L": "crowded-core",
                         "T": "dedicated-thread", "C": "dedicated-core"}[cpu_letter],
    }
    if disk_type:
        specs["scs:disk0-type"] = disk_type
    return specs


def image_properties(distro, version, user, source, description, build_date, frequency,
                     uuid_validity):
    # scs-0102 (v1 mandatory + v2 os_purpose). hypervisor_type is left out: the fake driver reports
    # hypervisor type "fake", and ImagePropertiesFilter would reject a "qemu" image.
    return {
        "architecture": "x86_64",
        "os_distro": distro,
        "os_version": version,
        "os_purpose": "generic",
        "hw_disk_bus": "scsi",
        "hw_scsi_model": "virtio-scsi",
        "hw_rng_model": "virtio",
        "image_build_date": build_date,
        "image_original_user": user,
        "image_source": source,
        "image_description": description,
        "replace_frequency": frequency,
        "provided_until": "none",
        "uuid_validity": uuid_validity,
    }


def admin():
    return openstack.connect(cloud="scs-local-admin")


def seed_identity():
    conn = admin()
    idn = conn.identity

    def project(name, desc):
        return idn.find_project(name, domain_id="default") or idn.create_project(
            name=name, domain_id="default", description=desc)

    def role(name):
        return idn.find_role(name) or idn.create_role(name=name)

    def password_works(name, password):
        try:
            openstack.connect(auth_url=f"http://{IP}:5000/v3", username=name, password=password,
                              user_domain_name="Default", region_name=REGION).authorize()
            return True
        except openstack.exceptions.SDKException:
            return False

    def user(name, password, project_id=None):
        u = idn.find_user(name, domain_id="default")
        if not u:
            return idn.create_user(name=name, domain_id="default", password=password,
                                   default_project_id=project_id)
        # a password update revokes the user's tokens, which would hit services and running tests
        if not password_works(name, password):
            u = idn.update_user(u, password=password)
        return u

    svc = project("service", "Service project")
    proj = project(PROJECT, "SCS local test project (member user, application credential)")
    roles = {r: role(r) for r in ("admin", "member", "reader", "service")}
    member = user(MEMBER, os.environ["MEMBER_PASS"], proj.id)
    idn.assign_project_role_to_user(proj, member, roles["member"])
    for name in ("glance", "placement", "nova", "neutron", "cinder"):
        u = user(name, os.environ["SVC_PASS"])
        idn.assign_project_role_to_user(svc, u, roles["admin"])
        idn.assign_project_role_to_user(svc, u, roles["service"])
    catalog = [("image", "glance", f"http://{IP}:9292"),
               ("placement", "placement", f"http://{IP}:8778"),
               ("compute", "nova", f"http://{IP}:8774/v2.1"),
               ("network", "neutron", f"http://{IP}:9696"),
               ("volumev3", "cinderv3", f"http://{IP}:8776/v3/%(project_id)s"),
               ("block-storage", "cinder", f"http://{IP}:8776/v3/%(project_id)s")]
    services = list(idn.services())
    for stype, sname, url in catalog:
        s = next((x for x in services if x.type == stype), None) or \
            idn.create_service(name=sname, type=stype, is_enabled=True)
        have = {e.interface for e in idn.endpoints(service_id=s.id)}
        for itf in ("public", "internal", "admin"):
            if itf not in have:
                idn.create_endpoint(service_id=s.id, interface=itf, url=url, region_id=REGION)
    print("identity ok")


def seed_flavors(conn):
    have = {f.name: f for f in conn.compute.flavors(is_public=None)}
    for name, cpus, ram, disk, disk_type in MANDATORY_FLAVORS + RECOMMENDED_FLAVORS:
        f = have.get(name)
        if f and (f.vcpus, f.ram, f.disk) != (cpus, ram * 1024, disk):
            # flavors are immutable: a wrong one is replaced
            conn.compute.delete_flavor(f)
            f = None
        if not f:
            f = conn.compute.create_flavor(name=name, vcpus=cpus, ram=ram * 1024, disk=disk,
                                           is_public=True)
        want = flavor_extra_specs(name, disk_type)
        current = conn.compute.fetch_flavor_extra_specs(f).extra_specs or {}
        missing = {k: v for k, v in want.items() if current.get(k) != v}
        if missing:
            conn.compute.create_flavor_extra_specs(f, missing)


def seed_images(conn):
    today = datetime.date.today()
    current_build = (today - datetime.timedelta(days=3)).isoformat()
    images = [
        ("Ubuntu 24.04", False, image_properties(
            "ubuntu", "24.04", "ubuntu",
            "https://cloud-images.ubuntu.com/noble/current/noble-server-cloudimg-amd64.img",
            "https://ubuntu.com/server/docs", current_build, "weekly", "last-3")),
        # the previous build, renamed and hidden as SCS image rotation does; still usable by UUID
        ("Ubuntu 24.04 20260101", True, image_properties(
            "ubuntu", "24.04", "ubuntu",
            "https://cloud-images.ubuntu.com/noble/20260101/noble-server-cloudimg-amd64.img",
            "https://ubuntu.com/server/docs", "2026-01-01", "weekly", "last-3")),
        ("Debian 12", False, image_properties(
            "debian", "12", "debian",
            "https://cloud.debian.org/images/cloud/bookworm/latest/debian-12-genericcloud-amd64.qcow2",
            "https://www.debian.org/releases/bookworm/", current_build, "monthly", "last-3")),
    ]
    for name, hidden, props in images:
        found = [i for i in conn.image.images(name=name, os_hidden=hidden)]
        if found:
            img = found[0]
            stale = {k: v for k, v in props.items()
                     if k != "image_build_date" and str(img.properties.get(k, getattr(img, k, ""))) != v}
            if stale:
                conn.image.update_image(img, **stale)
            continue
        img = conn.image.create_image(
            name=name, filename=os.environ["IMAGE_FILE"], disk_format="qcow2",
            container_format="bare", visibility="public", min_disk=8, min_ram=512,
            wait=True, allow_duplicates=True, **props)
        if hidden:
            conn.image.update_image(img, is_hidden=True)


def seed_network(conn, project_id):
    net = conn.network.find_network("public")
    if not net:
        # database objects only: br-ex has no uplink, nothing leaves the host
        net = conn.network.create_network(
            name="public", is_router_external=True, is_shared=False,
            provider_network_type="flat", provider_physical_network="public")
    if not conn.network.find_subnet("public-subnet"):
        conn.network.create_subnet(
            name="public-subnet", network_id=net.id, ip_version=4, cidr="203.0.113.0/24",
            gateway_ip="203.0.113.1", is_dhcp_enabled=False,
            allocation_pools=[{"start": "203.0.113.10", "end": "203.0.113.250"}])


def seed_volume_type(conn):
    vt = conn.block_storage.find_type(VOLUME_TYPE)
    if not vt:
        vt = conn.block_storage.create_type(
            name=VOLUME_TYPE, description=VOLUME_TYPE_DESCRIPTION, is_public=True,
            extra_specs={"volume_backend_name": "nfs-local"})
    elif vt.description != VOLUME_TYPE_DESCRIPTION:
        conn.block_storage.update_type(vt, description=VOLUME_TYPE_DESCRIPTION)


def seed_quotas(conn, project_id):
    # roomy, so that parallel acceptance tests never meet the defaults
    conn.set_compute_quotas(project_id, instances=100, cores=1000, ram=4 * 1024 * 1024,
                            key_pairs=200, server_groups=100, server_group_members=100)
    # gigabytes: a scenario asks for a volume larger than the backend (6,000 GiB, to see it go to
    # error), once per client, and the clients run side by side
    conn.set_volume_quotas(project_id, volumes=200, gigabytes=100000, snapshots=200,
                           backups=100, backup_gigabytes=10000)
    conn.set_network_quotas(project_id, network=200, subnet=200, port=1000, router=100,
                            floatingip=200, security_group=200, security_group_rule=2000)


def seed_content():
    conn = admin()
    project = conn.identity.find_project(PROJECT, domain_id="default")
    seed_flavors(conn)
    seed_images(conn)
    seed_network(conn, project.id)
    seed_volume_type(conn)
    seed_quotas(conn, project.id)
    print("content ok")


def create_appcred():
    # must be created by the member itself; restricted (the default), as users get them on SCS clouds
    conn = openstack.connect(cloud="scs-local-password")
    me = conn.current_user_id
    old = conn.identity.find_application_credential(me, APPCRED)
    if old:
        conn.identity.delete_application_credential(me, old)
    ac = conn.identity.create_application_credential(
        me, name=APPCRED, description="scs-local acceptance tests")
    print(f"APPCRED_ID='{ac.id}'\nAPPCRED_SECRET='{ac.secret}'")


def wait_for(what, check, timeout):
    end = time.time() + timeout
    while True:
        try:
            if check():
                print(f"{what}: ok")
                return
        except (openstack.exceptions.SDKException, OSError) as exc:  # still starting
            print(f"{what}: {exc}")
        if time.time() > end:
            sys.exit(f"timeout waiting for {what}")
        time.sleep(1)


def wait_compute():
    conn = admin()
    wait_for("nova-compute up", lambda: any(
        s.binary == "nova-compute" and s.state == "up" for s in conn.compute.services()), 180)


def wait_agents():
    conn = admin()
    wait_for("hypervisor up", lambda: any(
        h.state == "up" for h in conn.compute.hypervisors()), 90)
    # raw request: the block_storage.services() proxy call is newer than Debian 12's openstacksdk
    wait_for("cinder-volume up", lambda: any(
        s["binary"] == "cinder-volume" and s["state"] == "up"
        for s in conn.block_storage.get("/os-services").json()["services"]), 180)
    # "up" is also reported right after registration, before the driver initialised; only a driver
    # that works reports its pool to the scheduler
    wait_for("cinder pool nfs-local reported", lambda: any(
        p["name"].endswith("#nfs-local")
        for p in conn.block_storage.get("/scheduler-stats/get_pools").json()["pools"]), 120)
    wait_for("OVN controller agent alive", lambda: any(
        a.agent_type.startswith("OVN Controller") and a.is_alive
        for a in conn.network.agents()), 120)


if __name__ == "__main__":
    {"identity": seed_identity, "content": seed_content, "appcred": create_appcred,
     "wait-compute": wait_compute, "wait-agents": wait_agents}[sys.argv[1]]()
