extends Node
## Loads SpriteFrames resources with Godot's own loader and reports, one JSON line each, what Godot holds and what
## an AnimatedSprite2D draws. The resources to check are listed in /vfs/job.json: {"resources": ["/vfs/….tres"]}.
##
## For a resource that loads:   {"resource": path, "animations": {name: {"speed", "loop", "frames": [{"duration",
##   "class", "size", "region", "margin", "filter_clip", "atlas"}]}}, "drawn": base64 PNG, "cells": [[name, index,
##   x, y, w, h]]} ("normal" too where the atlas is a CanvasTexture), where "drawn" is one image of every frame, each drawn by its own AnimatedSprite2D at its cell.
## For one that does not:        {"resource": path, "error": "…"}.
## The exit code is 0 when every resource loaded as a SpriteFrames, else 1.

const COLUMNS := 16


func _ready() -> void:
	var job: Variant = JSON.parse_string(FileAccess.get_file_as_string("/vfs/job.json"))
	if not job is Dictionary:
		printerr("check: /vfs/job.json is not a JSON object")
		get_tree().quit(2)
		return
	var failed := 0
	for path: String in job["resources"]:
		var resource := ResourceLoader.load(path, "", ResourceLoader.CACHE_MODE_IGNORE)
		if not resource is SpriteFrames:
			print(JSON.stringify({"resource": path, "error": "did not load as a SpriteFrames"}))
			failed += 1
			continue
		var report := describe(resource)
		report["resource"] = path
		await draw(resource, report)
		print(JSON.stringify(report))
	get_tree().quit(1 if failed else 0)


func describe(frames: SpriteFrames) -> Dictionary:
	var animations := {}
	for name: StringName in frames.get_animation_names():
		var listed := []
		for index in frames.get_frame_count(name):
			var texture := frames.get_frame_texture(name, index)
			var item := {"duration": frames.get_frame_duration(name, index), "class": null}
			if texture != null:
				item["class"] = texture.get_class()
				item["size"] = [texture.get_width(), texture.get_height()]
			if texture is AtlasTexture:
				var region: Rect2 = texture.region
				var margin: Rect2 = texture.margin
				item["region"] = [region.position.x, region.position.y, region.size.x, region.size.y]
				item["margin"] = [margin.position.x, margin.position.y, margin.size.x, margin.size.y]
				item["filter_clip"] = texture.filter_clip
				item["atlas"] = texture.atlas.resource_path if texture.atlas != null else null
				if texture.atlas is CanvasTexture:  # a page with its normal sheet: name both images
					var canvas: CanvasTexture = texture.atlas
					item["atlas"] = canvas.diffuse_texture.resource_path if canvas.diffuse_texture != null else null
					item["normal"] = canvas.normal_texture.resource_path if canvas.normal_texture != null else null
			listed.append(item)
		animations[String(name)] = {
			"speed": frames.get_animation_speed(name),
			"loop": frames.get_animation_loop(name),
			"frames": listed,
		}
	return {"animations": animations}


## Every frame, drawn by an AnimatedSprite2D (not playing, nearest filter, top-left at its cell) into one
## transparent SubViewport, read back after the frame has been drawn.
func draw(frames: SpriteFrames, report: Dictionary) -> void:
	var cell_size := Vector2i.ONE
	var placed := []
	for name: StringName in frames.get_animation_names():
		for index in frames.get_frame_count(name):
			var texture := frames.get_frame_texture(name, index)
			if texture != null:
				cell_size = cell_size.max(Vector2i(texture.get_width(), texture.get_height()))
			placed.append([name, index])
	if placed.is_empty():
		return
	var columns: int = min(COLUMNS, placed.size())
	var rows: int = ceili(placed.size() / float(columns))
	var viewport := SubViewport.new()
	viewport.size = Vector2i(columns * (cell_size.x + 1), rows * (cell_size.y + 1))
	viewport.transparent_bg = true
	viewport.render_target_update_mode = SubViewport.UPDATE_ALWAYS
	viewport.canvas_item_default_texture_filter = Viewport.DEFAULT_CANVAS_ITEM_TEXTURE_FILTER_NEAREST
	add_child(viewport)
	var cells := []
	for number in placed.size():
		var name: StringName = placed[number][0]
		var index: int = placed[number][1]
		var sprite := AnimatedSprite2D.new()
		sprite.sprite_frames = frames
		sprite.animation = name
		sprite.frame = index
		sprite.centered = false
		sprite.texture_filter = CanvasItem.TEXTURE_FILTER_NEAREST
		@warning_ignore("integer_division")
		sprite.position = Vector2((number % columns) * (cell_size.x + 1), (number / columns) * (cell_size.y + 1))
		viewport.add_child(sprite)
		var texture := frames.get_frame_texture(name, index)
		var size := Vector2i(texture.get_width(), texture.get_height()) if texture != null else Vector2i.ZERO
		cells.append([String(name), index, int(sprite.position.x), int(sprite.position.y), size.x, size.y])
	await RenderingServer.frame_post_draw
	await RenderingServer.frame_post_draw
	var image := viewport.get_texture().get_image()
	image.convert(Image.FORMAT_RGBA8)
	report["drawn"] = Marshalls.raw_to_base64(image.save_png_to_buffer())
	report["cells"] = cells
	viewport.queue_free()
