extends ResourceFormatLoader
## Loads a PNG file as an ImageTexture, as the editor's import would have made it a Texture2D.


func _get_recognized_extensions() -> PackedStringArray:
	return PackedStringArray(["png"])


func _handles_type(type: StringName) -> bool:
	return ClassDB.is_parent_class(&"ImageTexture", type)


func _get_resource_type(path: String) -> String:
	return "ImageTexture" if path.get_extension().to_lower() == "png" else ""


func _load(path: String, _original_path: String, _use_sub_threads: bool, _cache_mode: int) -> Variant:
	var image := Image.load_from_file(path)
	if image == null or image.is_empty():
		return ERR_FILE_CANT_OPEN
	return ImageTexture.create_from_image(image)
