//! An empty Tauri window: the same builder and plugins as Kizuna's shell,
//! a blank page, nothing else. Only for measuring (tests/bench/memory.mjs).

fn main() {
    tauri::Builder::default()
        .plugin(tauri_plugin_single_instance::init(|_, _, _| {}))
        .plugin(tauri_plugin_window_state::Builder::default().build())
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_opener::init())
        .plugin(tauri_plugin_autostart::Builder::new().build())
        .run(tauri::generate_context!())
        .expect("the empty window runs");
}
