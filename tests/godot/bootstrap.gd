extends Node
## The pack's main scene script: teaches Godot to load raw PNGs (an exported runtime has no import data), then
## runs the check script that the harness preloaded at /vfs/check.gd. The check ends the engine with its exit code.


func _ready() -> void:
	ResourceLoader.add_resource_format_loader(load("res://png_loader.gd").new(), true)
	var check_script: Script = load("/vfs/check.gd")
	if check_script == null or not check_script.can_instantiate():  # a parse error: end now, not at the time-out
		printerr("bootstrap: /vfs/check.gd did not load")
		get_tree().quit(3)
		return
	var check: Node = check_script.new()
	add_child(check)
