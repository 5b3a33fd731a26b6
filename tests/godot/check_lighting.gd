extends Node
## Lights every frame of SpriteFrames resources with a PointLight2D, once from the right and once from the left, and
## prints per frame the mean R+G+B of the opaque pixels of each half of what an AnimatedSprite2D drew:
## {"resource", "animation", "frame", "right": [left half, right half], "left": [left half, right half]}.
## The resources are listed in /vfs/job.json: {"resources": ["/vfs/….tres"]}. Exit code 0 when all loaded, else 1.


func _ready() -> void:
	var job: Variant = JSON.parse_string(FileAccess.get_file_as_string("/vfs/job.json"))
	var failed := 0
	for path: String in job["resources"]:
		var frames := ResourceLoader.load(path, "", ResourceLoader.CACHE_MODE_IGNORE) as SpriteFrames
		if frames == null:
			print(JSON.stringify({"resource": path, "error": "did not load as a SpriteFrames"}))
			failed += 1
			continue
		var lit := []
		for name: StringName in frames.get_animation_names():
			for index in frames.get_frame_count(name):
				lit.append([name, index, light(frames, name, index, 1.0), light(frames, name, index, -1.0)])
		await RenderingServer.frame_post_draw
		await RenderingServer.frame_post_draw
		for item: Array in lit:
			print(JSON.stringify({
				"resource": path, "animation": String(item[0]), "frame": item[1],
				"right": halves(item[2]), "left": halves(item[3]),
			}))
			item[2].queue_free()
			item[3].queue_free()
	get_tree().quit(1 if failed else 0)


## A viewport (its own 2D world, so its light touches nothing else) with the frame drawn at its centre and a light
## level with the frame's middle, three frame widths to one side (side 1: right, -1: left).
func light(frames: SpriteFrames, name: StringName, index: int, side: float) -> SubViewport:
	var texture := frames.get_frame_texture(name, index)
	var size := Vector2i(texture.get_width(), texture.get_height())
	var viewport := SubViewport.new()
	viewport.size = size
	viewport.transparent_bg = true
	viewport.render_target_update_mode = SubViewport.UPDATE_ALWAYS
	add_child(viewport)
	var sprite := AnimatedSprite2D.new()
	sprite.sprite_frames = frames
	sprite.animation = name
	sprite.frame = index
	sprite.centered = false
	sprite.texture_filter = CanvasItem.TEXTURE_FILTER_NEAREST
	viewport.add_child(sprite)
	var lamp := PointLight2D.new()
	var white := Image.create(8, 8, false, Image.FORMAT_RGBA8)
	white.fill(Color.WHITE)
	lamp.texture = ImageTexture.create_from_image(white)
	lamp.texture_scale = 1000.0  # even light over the whole frame: only the normals make its halves differ
	lamp.position = Vector2(size.x / 2.0 + side * size.x * 3.0, size.y / 2.0)
	lamp.energy = 1.0
	viewport.add_child(lamp)
	return viewport


func halves(viewport: SubViewport) -> Array:
	var image := viewport.get_texture().get_image()
	image.convert(Image.FORMAT_RGBA8)
	var sums := [0.0, 0.0]
	var counts := [0, 0]
	for y in image.get_height():
		for x in image.get_width():
			var colour := image.get_pixel(x, y)
			if colour.a8 == 0:
				continue
			var side := 0 if x < image.get_width() / 2.0 else 1
			sums[side] += colour.r8 + colour.g8 + colour.b8
			counts[side] += 1
	return [sums[0] / counts[0] if counts[0] else null, sums[1] / counts[1] if counts[1] else null]
