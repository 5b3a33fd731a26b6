extends Node
## Loads the game-data scenes (.tscn) with Godot's own loader, instantiates each, and plays every animation of its
## AnimationPlayer frame by frame, reporting one JSON line per scene of what each node holds at each frame. The
## scenes are listed in /vfs/job.json: {"scenes": ["/vfs/….tscn"]}.
##
## For a scene that loads: {"scene": path, "root": [name, class], "children": {name: class}, "sprite": {"class",
##   "position", "centered", "frames", "animations": {name: [frame count, speed, loop]}}, "player": [root_node,
##   [library names]], "own_shapes": bool, "animations": {name: {"length", "loop_mode", "frames": [{"animation",
##   "frame", "markers": {name: [x, y, z_index]}, "shapes": {name: [x, y, w, h, disabled]}}]}}}.
## For one that does not: {"scene": path, "error": "…"}.
## Each frame is played to its middle: the first by seeking there, the next by advancing the player one frame.
## The exit code is 0 when every scene loaded and instantiated, else 1.


func _ready() -> void:
	var job: Variant = JSON.parse_string(FileAccess.get_file_as_string("/vfs/job.json"))
	if not job is Dictionary:
		printerr("check: /vfs/job.json is not a JSON object")
		get_tree().quit(2)
		return
	var failed := 0
	for path: String in job["scenes"]:
		var packed := ResourceLoader.load(path, "", ResourceLoader.CACHE_MODE_IGNORE)
		if not packed is PackedScene:
			print(JSON.stringify({"scene": path, "error": "did not load as a PackedScene"}))
			failed += 1
			continue
		var root: Node = packed.instantiate()
		if root == null:
			print(JSON.stringify({"scene": path, "error": "did not instantiate"}))
			failed += 1
			continue
		var report := describe(root)  # before add_child, which renames a root whose name a sibling has
		add_child(root)
		var other: Node = packed.instantiate()  # a second instance must animate shapes of its own
		add_child(other)
		report["scene"] = path
		report["own_shapes"] = own_shapes(root, other)
		report["animations"] = play_all(root)
		print(JSON.stringify(report))
		root.free()
		other.free()
	get_tree().quit(1 if failed else 0)


func describe(root: Node) -> Dictionary:
	var children := {}
	for child in root.get_children():
		children[String(child.name)] = child.get_class()
	var report := {"root": [String(root.name), root.get_class()], "children": children}
	var sprite := root.get_node_or_null("Sprite") as AnimatedSprite2D
	if sprite != null:
		var frames := sprite.sprite_frames
		var listed := {}
		if frames != null:
			for name: StringName in frames.get_animation_names():
				listed[String(name)] = [
					frames.get_frame_count(name), frames.get_animation_speed(name), frames.get_animation_loop(name)
				]
		report["sprite"] = {
			"position": [sprite.position.x, sprite.position.y],
			"centered": sprite.centered,
			"frames": frames.resource_path if frames != null else null,
			"animations": listed,
		}
	var player := root.get_node_or_null("AnimationPlayer") as AnimationPlayer
	if player != null:
		var libraries := []
		for library: StringName in player.get_animation_library_list():
			libraries.append(String(library))
		report["player"] = [String(player.root_node), libraries]
	return report


func own_shapes(root: Node, other: Node) -> bool:
	for child in root.get_children():
		if child is Area2D:
			var shape := child.get_node_or_null("Shape") as CollisionShape2D
			var twin := other.get_node_or_null(NodePath(String(child.name) + "/Shape")) as CollisionShape2D
			if shape == null or twin == null or shape.shape == null or shape.shape == twin.shape:
				return false
	return true


func play_all(root: Node) -> Dictionary:
	var sprite := root.get_node_or_null("Sprite") as AnimatedSprite2D
	var player := root.get_node_or_null("AnimationPlayer") as AnimationPlayer
	if sprite == null or sprite.sprite_frames == null or player == null:
		return {}
	player.callback_mode_process = AnimationMixer.ANIMATION_CALLBACK_MODE_PROCESS_MANUAL
	var played := {}
	for name: StringName in player.get_animation_list():
		var animation := player.get_animation(name)
		var entry := {"length": animation.length, "loop_mode": animation.loop_mode, "frames": []}
		played[String(name)] = entry
		if not sprite.sprite_frames.has_animation(name):
			continue
		var count := sprite.sprite_frames.get_frame_count(name)
		var step := 1.0 / sprite.sprite_frames.get_animation_speed(name)
		player.play(name)
		player.seek(0.5 * step, true)
		for index in count:
			if index > 0:
				player.advance(step)
			entry["frames"].append(state(root, sprite))
	return played


func state(root: Node, sprite: AnimatedSprite2D) -> Dictionary:
	var markers := {}
	var shapes := {}
	for child in root.get_children():
		if child is Marker2D:
			markers[String(child.name)] = [child.position.x, child.position.y, child.z_index]
		elif child is Area2D:
			var shape := child.get_node_or_null("Shape") as CollisionShape2D
			if shape != null and shape.shape is RectangleShape2D:
				var size: Vector2 = shape.shape.size
				shapes[String(child.name)] = [shape.position.x, shape.position.y, size.x, size.y, shape.disabled]
	return {"animation": String(sprite.animation), "frame": sprite.frame, "markers": markers, "shapes": shapes}
