"""Game data from the rig: points, boxes and root motion projected through the camera, frame by frame, into
``rig.json`` beside the renders (see ``engine/frames/rig_file``).

Everything is projected on the main thread from the view layer's evaluated depsgraph, going to each frame and back:
a render's own depsgraph runs on the render thread with a UI, and leaves out objects hidden from renders, which box
objects usually are. Points are projected with ``world_to_camera_view``; boxes are the evaluated geometry
(modifiers, armature deformation), every vertex projected the same way, in numpy. With In Place the pivot is held
in place while the frames are projected, as it is while they render.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from pathlib import Path
from typing import cast

import bpy
import numpy as np
from bpy_extras.object_utils import world_to_camera_view
from mathutils import Vector

from ..engine.errors import OptionError, SetupError
from ..engine.frames.rig_file import RigFile, ViewBox, ViewFrameRig, ViewPoint, ViewRootMotion, write_rig_file
from ..engine.jobs.spec import SpriteJob
from ..engine.sets.rig_names import RigRequest, RigSource
from .in_place import InPlace

GEOMETRY_TYPES = ("MESH", "CURVE", "SURFACE", "FONT", "META")
"""Objects whose evaluated geometry is a mesh: what a box object may be."""


def scene_request(scene: bpy.types.Scene) -> RigRequest | None:
    """The game data the scene's settings ask for; None for none.

    Raises
    ------
    SetupError
        Naming the item, for a point or box without a source, or a name the outputs cannot hold.
    """
    try:
        request: RigRequest | None = scene.pixel_sprites.rig_request()
    except OptionError as error:
        raise SetupError(str(error)) from error
    return request


def _scene_collection(scene: bpy.types.Scene, name: str) -> bpy.types.Collection | None:
    """The collection of that name among the scene's, at any depth."""
    waiting = list(scene.collection.children)
    while waiting:
        collection = waiting.pop()
        if collection.name == name:
            return collection
        waiting.extend(collection.children)
    return None


def point_object(scene: bpy.types.Scene, point: RigSource) -> bpy.types.Object:
    """The object a point is on, its bone checked.

    Raises
    ------
    SetupError
        Naming the point: no such object in the scene, a bone on an object that is not an armature, or a bone
        the armature does not have.
    """
    where = f"Game Data: point {point.written}"
    obj = scene.objects.get(point.object)
    if obj is None:
        raise SetupError(f"{where}: no object {point.object!r} in the scene {scene.name!r}")
    if point.bone is not None and obj.type != "ARMATURE":
        raise SetupError(f"{where}: {obj.name!r} is not an armature (its type is {obj.type}): it has no bones")
    if point.bone is not None and obj.data.bones.get(point.bone) is None:
        raise SetupError(f"{where}: the armature {obj.name!r} has no bone {point.bone!r}")
    return obj


def box_objects(scene: bpy.types.Scene, box: RigSource) -> list[bpy.types.Object]:
    """The objects whose geometry a box joins: its object, or the mesh objects of its collection (at any depth).

    Raises
    ------
    SetupError
        Naming the box: no object or collection of that name in the scene, a name that is both, an object without
        geometry, or a collection without meshes.
    """
    where = f"Game Data: box {box.written}"
    obj = scene.objects.get(box.object)
    collection = _scene_collection(scene, box.object)
    if obj is not None and collection is not None:
        raise SetupError(f"{where}: {box.object!r} is both an object and a collection (ambiguous); rename one")
    if obj is not None:
        if obj.type not in GEOMETRY_TYPES:
            raise SetupError(f"{where}: the object {obj.name!r} has no geometry (its type is {obj.type})")
        return [obj]
    if collection is None:
        raise SetupError(f"{where}: no object or collection {box.object!r} in the scene {scene.name!r}")
    meshes = [item for item in collection.all_objects if item.type == "MESH" and scene.objects.get(item.name) is item]
    if not meshes:
        raise SetupError(f"{where}: the collection {collection.name!r} has no mesh objects")
    return meshes


def check_sources(scene: bpy.types.Scene, request: RigRequest) -> None:
    """Refuse, before anything is rendered, a point or box the scene cannot give (see :func:`point_object` and
    :func:`box_objects`).

    Raises
    ------
    SetupError
        Naming the point or box and what is wrong with it.
    """
    for point in request.points:
        point_object(scene, point)
    for box in request.boxes:
        box_objects(scene, box)


def checked_request(scene: bpy.types.Scene) -> RigRequest | None:
    """The scene's game data (:func:`scene_request`), its sources checked (:func:`check_sources`)."""
    request = scene_request(scene)
    if request is not None:
        check_sources(scene, request)
    return request


def _depsgraph(scene: bpy.types.Scene) -> bpy.types.Depsgraph:
    if bpy.context.scene == scene:
        return bpy.context.evaluated_depsgraph_get()
    depsgraph = cast(bpy.types.Depsgraph, scene.view_layers[0].depsgraph)  # Blender makes it when first asked
    depsgraph.update()
    return depsgraph


def _view(scene: bpy.types.Scene, camera: bpy.types.Object, world: np.ndarray) -> np.ndarray:
    """``world_to_camera_view`` of many points at once: (u, v, depth) rows."""
    inverse = np.array(camera.matrix_world.normalized().inverted(), dtype=np.float64)
    local = world @ inverse[:3, :3].T + inverse[:3, 3]
    depth = -local[:, 2]
    top_right, bottom_right, bottom_left = camera.data.view_frame(scene=scene)[:3]
    # A perspective camera's frame widens with depth, as world_to_camera_view scales it.
    scale = np.ones_like(depth) if camera.data.type == "ORTHO" else depth / -bottom_left.z
    u = (local[:, 0] - bottom_left.x * scale) / ((bottom_right.x - bottom_left.x) * scale)
    v = (local[:, 1] - bottom_right.y * scale) / ((top_right.y - bottom_right.y) * scale)
    return np.stack([u, v, depth], axis=1)


def _world_vertices(obj: bpy.types.Object, depsgraph: bpy.types.Depsgraph) -> np.ndarray:
    evaluated = obj.evaluated_get(depsgraph)
    mesh = evaluated.to_mesh()
    try:
        local = np.empty(len(mesh.vertices) * 3, dtype=np.float32)
        mesh.vertices.foreach_get("co", local)
    finally:
        evaluated.to_mesh_clear()
    matrix = np.array(evaluated.matrix_world, dtype=np.float64)
    return local.reshape(-1, 3).astype(np.float64) @ matrix[:3, :3].T + matrix[:3, 3]


class RigCapture:
    """The game data of one render: its sources, checked when it is made, the frames projected so far, and In
    Place while the frames render (:meth:`hold_in_place` to :meth:`release`)."""

    def __init__(self, scene: bpy.types.Scene, request: RigRequest, root: Path, pivot: bpy.types.Object | None) -> None:
        """
        Raises
        ------
        SetupError
            Naming the problem: a source the scene cannot give, no camera, or no pivot where points (in front or
            behind it) or In Place need one.
        """
        check_sources(scene, request)
        if scene.camera is None:
            raise SetupError("Game Data: the scene has no camera to project the points and boxes through")
        if pivot is None and (request.points or request.in_place):
            raise SetupError("Pivot: game data needs a pivot object; choose one, or make the character's object active")
        self.request = request
        self.root = Path(root)
        self.scene_name = scene.name
        self.pivot_name = pivot.name if pivot is not None else None
        self.frames: dict[str, ViewFrameRig] = {}
        self._points = [(point, point_object(scene, point).name) for point in request.points]
        self._boxes = [(box, [obj.name for obj in box_objects(scene, box)]) for box in request.boxes]
        self._in_place: InPlace | None = None

    def hold_in_place(self, scene: bpy.types.Scene) -> None:
        """With In Place asked for, hold the pivot in place over the scene's frame range (main thread, before the
        render starts)."""
        if self.request.in_place and self._in_place is None and self.pivot_name is not None:
            held = InPlace(scene, bpy.data.objects[self.pivot_name])
            held.begin(scene)
            self._in_place = held

    def release(self) -> None:
        """The pivot free again, and its delta location given back (after the render)."""
        held, self._in_place = self._in_place, None
        if held is not None:
            held.end()

    def project_written(self, scene: bpy.types.Scene, paths: Iterable[Path]) -> None:
        """Project the frames of the scene's animation a render wrote at ``paths``."""
        written = {Path(path) for path in paths}
        frames = range(scene.frame_start, scene.frame_end + 1, scene.frame_step)
        self.project(scene, [frame for frame in frames if Path(scene.render.frame_path(frame=frame)) in written])

    def step(self, scene: bpy.types.Scene, frames: Iterable[int]) -> None:
        """One render of a set, set up: the last one's pivot freed, this one's held in place, its frames projected."""
        self.release()
        self.hold_in_place(scene)
        self.project(scene, frames)

    def project(self, scene: bpy.types.Scene, frames: Iterable[int]) -> None:
        """Project ``frames``, as the scene's render output names them, going to each and back."""
        current, subframe = scene.frame_current, scene.frame_subframe
        try:
            for frame in frames:
                path = Path(scene.render.frame_path(frame=frame))
                scene.frame_set(frame)
                self.frames[self._key(path)] = self._frame(scene, _depsgraph(scene), frame)
        finally:
            scene.frame_set(current, subframe=subframe)

    def _key(self, path: Path) -> str:
        try:
            return path.resolve().relative_to(self.root.resolve()).as_posix()
        except ValueError:
            return path.name  # the frames' folder is the root

    def _frame(self, scene: bpy.types.Scene, depsgraph: bpy.types.Depsgraph, frame: int) -> ViewFrameRig:
        camera = scene.camera.evaluated_get(depsgraph)
        pivot = bpy.data.objects[self.pivot_name].evaluated_get(depsgraph) if self.pivot_name else None
        pivot_at = pivot.matrix_world.translation.copy() if pivot is not None else Vector()
        pivot_depth = world_to_camera_view(scene, camera, pivot_at).z
        points = {}
        for point, name in self._points:
            view = world_to_camera_view(scene, camera, self._point_at(point, name, depsgraph))
            points[point.name] = ViewPoint(float(view.x), float(view.y), bool(view.z < pivot_depth))
        boxes = {box.name: self._box(scene, camera, names, depsgraph) for box, names in self._boxes}
        motion = self._in_place.motion.get(frame) if self._in_place is not None else None
        root_motion = _root_motion(scene, camera, pivot_at, motion) if motion is not None else None
        return ViewFrameRig(points, boxes, root_motion)

    @staticmethod
    def _point_at(point: RigSource, name: str, depsgraph: bpy.types.Depsgraph) -> Vector:
        obj = bpy.data.objects[name].evaluated_get(depsgraph)
        if point.bone is None:
            return obj.matrix_world.translation.copy()
        bone = obj.pose.bones[point.bone]
        return obj.matrix_world @ (bone.tail if point.tail else bone.head)

    @staticmethod
    def _box(
        scene: bpy.types.Scene, camera: bpy.types.Object, names: list[str], depsgraph: bpy.types.Depsgraph
    ) -> ViewBox | None:
        world = np.concatenate([_world_vertices(bpy.data.objects[name], depsgraph) for name in names])
        view = _view(scene, camera, world)
        view = view[view[:, 2] > 0.0]  # in front of the camera
        if len(view) == 0:
            return None
        (u0, v0), (u1, v1) = view[:, :2].min(axis=0), view[:, :2].max(axis=0)
        return ViewBox(float(u0), float(v0), float(u1), float(v1))

    def write(self) -> Path:
        """``rig.json`` at the root, the frames projected added to those it holds (under its lock)."""
        request = self.request
        rig = RigFile(
            tuple(point.name for point in request.points),
            tuple(box.name for box in request.boxes),
            request.in_place,
            dict(self.frames),
        )
        return write_rig_file(self.root, rig, merge=True)

    def attach(self, job: SpriteJob) -> SpriteJob:
        """Write ``rig.json`` and point the job's set sheets at it, so the manifest and engine files carry it."""
        path = self.write()
        if job.sheets is None:
            return job
        return dataclasses.replace(job, sheets=dataclasses.replace(job.sheets, rig_file=path))


def _root_motion(scene: bpy.types.Scene, camera: bpy.types.Object, pivot: Vector, motion: Vector) -> ViewRootMotion:
    """The motion on the floor along the camera's right and away from it, and how far it moves the pivot in the
    camera's view."""
    axes = camera.matrix_world.to_3x3().normalized()
    right = Vector((axes[0][0], axes[1][0]))  # the camera's X axis, on the floor
    away = Vector((-axes[0][2], -axes[1][2]))  # where it looks (its -Z)
    if away.length < 1e-6:  # a camera looking straight down: up in its view (its Y) is away from it
        away = Vector((axes[0][1], axes[1][1]))
    right.normalize()
    away.normalize()
    base = world_to_camera_view(scene, camera, pivot)
    moved = world_to_camera_view(scene, camera, pivot + motion)
    return ViewRootMotion(
        float(motion.xy.dot(right)), float(motion.xy.dot(away)), float(moved.x - base.x), float(moved.y - base.y)
    )
