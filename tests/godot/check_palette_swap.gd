extends Node
## Draws index maps through the shipped palette swap shader, once per palette row, and loads variant SpriteFrames.
## /vfs/job.json: {"shader": path, "palettes": path, "rows": n, "index_maps": [path], "resources": [path],
## "animated": [path of a SpriteFrames cut from index maps]}.
## Prints one JSON line per index map and row: {"index_map", "row", "drawn": base64 PNG of what a Sprite2D with the
## shader drew}; per animated resource, animation, frame and row: {"animated", "animation", "frame", "row", "drawn":
## what an AnimatedSprite2D with the shader drew}; and per resource: {"resource", "atlases": [the page path of each
## animation's first frame]} or {"resource", "error"}. The exit code is 0 when every resource loaded, else 1.


func _ready() -> void:
	var job: Dictionary = JSON.parse_string(FileAccess.get_file_as_string("/vfs/job.json"))
	var shader := Shader.new()
	shader.code = FileAccess.get_file_as_string(job["shader"])
	var palettes := ResourceLoader.load(job["palettes"]) as Texture2D
	var viewports := []
	for path: String in job["index_maps"]:
		var index_map := ResourceLoader.load(path) as Texture2D
		for row in int(job["rows"]):
			viewports.append([path, row, draw(index_map, shader, palettes, row)])
	var animated := []
	for path: String in job["animated"]:
		var frames := ResourceLoader.load(path, "", ResourceLoader.CACHE_MODE_IGNORE) as SpriteFrames
		for name: StringName in frames.get_animation_names():
			for index in frames.get_frame_count(name):
				for row in int(job["rows"]):
					var viewport := play(frames, name, index, shader, palettes, row)
					animated.append([path, String(name), index, row, viewport])
	await RenderingServer.frame_post_draw
	await RenderingServer.frame_post_draw
	for item: Array in viewports:
		print(JSON.stringify({"index_map": item[0], "row": item[1], "drawn": drawn_png(item[2])}))
	for item: Array in animated:
		var drawn := drawn_png(item[4])
		print(JSON.stringify({"animated": item[0], "animation": item[1], "frame": item[2], "row": item[3], "drawn": drawn}))
	var failed := 0
	for path: String in job["resources"]:
		var frames := ResourceLoader.load(path, "", ResourceLoader.CACHE_MODE_IGNORE) as SpriteFrames
		if frames == null:
			print(JSON.stringify({"resource": path, "error": "did not load as a SpriteFrames"}))
			failed += 1
			continue
		var atlases := []
		for name: StringName in frames.get_animation_names():
			var texture := frames.get_frame_texture(name, 0) as AtlasTexture
			atlases.append(texture.atlas.resource_path if texture != null and texture.atlas != null else null)
		print(JSON.stringify({"resource": path, "atlases": atlases}))
	get_tree().quit(1 if failed or shader.get_mode() != Shader.MODE_CANVAS_ITEM else 0)


## A viewport of the index map's size with a Sprite2D drawing it through the shader at palette row ``row``.
func draw(index_map: Texture2D, shader: Shader, palettes: Texture2D, row: int) -> SubViewport:
	var sprite := Sprite2D.new()
	sprite.texture = index_map
	sprite.centered = false
	return shaded(sprite, Vector2i(index_map.get_width(), index_map.get_height()), shader, palettes, row)


## A viewport of one frame's size with an AnimatedSprite2D showing it through the shader at palette row ``row``.
func play(frames: SpriteFrames, name: StringName, index: int, shader: Shader, palettes: Texture2D, row: int) -> SubViewport:
	var texture := frames.get_frame_texture(name, index)
	var sprite := AnimatedSprite2D.new()
	sprite.sprite_frames = frames
	sprite.animation = name
	sprite.frame = index
	sprite.centered = false
	return shaded(sprite, Vector2i(texture.get_width(), texture.get_height()), shader, palettes, row)


## A transparent viewport of ``size`` holding ``sprite``, drawn through the shader at palette row ``row``.
func shaded(sprite: CanvasItem, size: Vector2i, shader: Shader, palettes: Texture2D, row: int) -> SubViewport:
	var viewport := SubViewport.new()
	viewport.size = size
	viewport.transparent_bg = true
	viewport.render_target_update_mode = SubViewport.UPDATE_ALWAYS
	add_child(viewport)
	var material := ShaderMaterial.new()
	material.shader = shader
	material.set_shader_parameter("palettes", palettes)
	material.set_shader_parameter("palette_row", row)
	sprite.material = material
	viewport.add_child(sprite)
	return viewport


## What ``viewport`` drew, as a base64 PNG.
func drawn_png(viewport: SubViewport) -> String:
	var image := viewport.get_texture().get_image()
	image.convert(Image.FORMAT_RGBA8)
	return Marshalls.raw_to_base64(image.save_png_to_buffer())
