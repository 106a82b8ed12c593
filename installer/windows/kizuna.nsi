; Kizuna's Windows installer, built on Linux by Debian's makensis (make dist,
; make windows-installer). Tauri's own NSIS bundling downloads its tools from
; the internet, which the build machines cannot reach; this script needs only
; what the nsis package ships.
;
; Per user, no administrator rights: the app goes to
; %LOCALAPPDATA%\Programs\Kizuna, its settings stay in %APPDATA%\jp.kizuna.desktop
; (written by the app, never by this script), and uninstalling keeps them.
;
; makensis -INPUTCHARSET UTF8 -DVERSION=0.1.0 -DBIN_DIR=… -DOUT_FILE=… kizuna.nsi
;
; Command line of the built setup.exe (besides NSIS's own /S and /D=):
;   /AUTOSTART   start Kizuna at sign-in (the checkbox on the components page)
;   /UPDATE      started by Kizuna to update itself: wait for it to close,
;                install, and start it again

Unicode true
Target amd64-unicode
ManifestDPIAware true
SetCompressor /SOLID lzma

!define APP_ID "jp.kizuna.desktop"
!define PRODUCT "Kizuna"
!define PUBLISHER "Kizuna"
!define EXE "kizuna-desktop.exe"
!define UNINSTALL_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\${APP_ID}"
!define RUN_KEY "Software\Microsoft\Windows\CurrentVersion\Run"
; The WebView2 runtime's client id (Evergreen), per machine and per user.
!define WEBVIEW2_CLIENT "{F3017226-FE2A-4295-8BDF-00C3A9A7E4C5}"
!ifndef VERSION
  !error "makensis -DVERSION=x.y.z"
!endif
!ifndef BIN_DIR
  !error "makensis -DBIN_DIR=folder with kizuna-desktop.exe and kizuna.exe"
!endif
!ifndef OUT_FILE
  !define OUT_FILE "Kizuna-${VERSION}-x64-setup.exe"
!endif

Name "${PRODUCT}"
OutFile "${OUT_FILE}"
RequestExecutionLevel user
InstallDir "$LOCALAPPDATA\Programs\${PRODUCT}"
InstallDirRegKey HKCU "${UNINSTALL_KEY}" "InstallLocation"
BrandingText "${PRODUCT} ${VERSION}"
VIProductVersion "${VERSION}.0"
VIAddVersionKey /LANG=0 "ProductName" "${PRODUCT}"
VIAddVersionKey /LANG=0 "ProductVersion" "${VERSION}"
VIAddVersionKey /LANG=0 "FileVersion" "${VERSION}"
VIAddVersionKey /LANG=0 "FileDescription" "${PRODUCT} ${VERSION} setup"
VIAddVersionKey /LANG=0 "LegalCopyright" "${PUBLISHER}"

!include MUI2.nsh
!include LogicLib.nsh
!include FileFunc.nsh
!include Win\COM.nsh
!include Win\Propkey.nsh

!define MUI_ICON "${BIN_DIR}\icon.ico"
!define MUI_UNICON "${BIN_DIR}\icon.ico"
!define MUI_ABORTWARNING
!define MUI_LANGDLL_ALLLANGUAGES
!define MUI_FINISHPAGE_RUN "$INSTDIR\${EXE}"
!define MUI_FINISHPAGE_TEXT "$(FinishText)"

!insertmacro MUI_PAGE_WELCOME
!insertmacro MUI_PAGE_COMPONENTS
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_PAGE_FINISH
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES
!define MUI_FINISHPAGE_TEXT "$(UninstallFinishText)"
!insertmacro MUI_UNPAGE_FINISH

!insertmacro MUI_LANGUAGE "Japanese"
!insertmacro MUI_LANGUAGE "English"

LangString SecApp ${LANG_JAPANESE} "Kizuna（必須）"
LangString SecApp ${LANG_ENGLISH} "Kizuna (required)"
LangString SecAutostart ${LANG_JAPANESE} "サインイン時に Kizuna を起動する（通知を受け取るため）"
LangString SecAutostart ${LANG_ENGLISH} "Start Kizuna when I sign in (for reminders)"
LangString WebView2Missing ${LANG_JAPANESE} "Kizuna の画面には Microsoft Edge WebView2 ランタイムが必要ですが、このパソコンに見つかりません。$\r$\n$\r$\nWindows 10/11 には通常含まれています。社内の IT 担当者に依頼するか、Microsoft の「WebView2 ランタイム」(Evergreen) をインストールしてから、もう一度このインストーラーを実行してください。$\r$\n$\r$\nこのままインストールを続けますか？（WebView2 をインストールするまで Kizuna は起動しません）"
LangString WebView2Missing ${LANG_ENGLISH} "Kizuna's window needs the Microsoft Edge WebView2 Runtime, which was not found on this computer.$\r$\n$\r$\nWindows 10/11 normally include it. Ask your IT department, or install Microsoft's WebView2 Runtime (Evergreen), then run this installer again.$\r$\n$\r$\nInstall anyway? (Kizuna will not start until WebView2 is installed.)"
LangString StillRunning ${LANG_JAPANESE} "Kizuna が起動したままです。Kizuna を終了してから「再試行」を押してください。"
LangString StillRunning ${LANG_ENGLISH} "Kizuna is still running. Quit Kizuna, then press Retry."
LangString FinishText ${LANG_JAPANESE} "Kizuna をインストールしました。$\r$\n$\r$\n初回の起動時に、チームのデータベース（例: \\server\share\kizuna.db）を選びます。"
LangString FinishText ${LANG_ENGLISH} "Kizuna is installed.$\r$\n$\r$\nOn its first start it asks for your team's database (e.g. \\server\share\kizuna.db)."
LangString UninstallFinishText ${LANG_JAPANESE} "Kizuna をアンインストールしました。設定・このパソコンのデータベース・バックアップ（%APPDATA%\${APP_ID}）と共有ドライブ上のチームのデータベースはそのまま残っています。"
LangString UninstallFinishText ${LANG_ENGLISH} "Kizuna was uninstalled. Your settings, this computer's database and backups (%APPDATA%\${APP_ID}) and the team database on the share are kept."

Var Autostart


; Windows 10/11 ship the WebView2 runtime; a machine without it (removed,
; an old LTSC image) gets a clear message instead of an app that never opens.
; Silent installs stop there with exit code 2.
Function CheckWebView2
  ReadRegStr $0 HKLM "SOFTWARE\WOW6432Node\Microsoft\EdgeUpdate\Clients\${WEBVIEW2_CLIENT}" "pv"
  ${If} $0 == ""
  ${OrIf} $0 == "0.0.0.0"
    ReadRegStr $0 HKLM "SOFTWARE\Microsoft\EdgeUpdate\Clients\${WEBVIEW2_CLIENT}" "pv"
  ${EndIf}
  ${If} $0 == ""
  ${OrIf} $0 == "0.0.0.0"
    ReadRegStr $0 HKCU "Software\Microsoft\EdgeUpdate\Clients\${WEBVIEW2_CLIENT}" "pv"
  ${EndIf}
  ${If} $0 == ""
  ${OrIf} $0 == "0.0.0.0"
    MessageBox MB_YESNO|MB_ICONEXCLAMATION "$(WebView2Missing)" /SD IDNO IDYES +3
    SetErrorLevel 2
    Quit
  ${EndIf}
FunctionEnd

; An update started from Kizuna: the app closes itself after starting this
; installer, so wait (up to 30 s) until its exe can be replaced.
Function WaitForKizunaToClose
  ${IfNot} ${FileExists} "$INSTDIR\${EXE}"
    Return
  ${EndIf}
  StrCpy $R1 0
  ${Do}
    ClearErrors
    FileOpen $R0 "$INSTDIR\${EXE}" a
    ${IfNot} ${Errors}
      FileClose $R0
      Return
    ${EndIf}
    IntOp $R1 $R1 + 1
    ${If} $R1 >= 60
      MessageBox MB_RETRYCANCEL|MB_ICONEXCLAMATION "$(StillRunning)" /SD IDCANCEL IDRETRY +3
      SetErrorLevel 3
      Quit
      StrCpy $R1 0
    ${EndIf}
    Sleep 500
  ${Loop}
FunctionEnd

Section "$(SecApp)" SecAppId
  SectionIn RO
  Call WaitForKizunaToClose
  SetOutPath "$INSTDIR"
  File "${BIN_DIR}\${EXE}"
  File "${BIN_DIR}\kizuna.exe"
  File "${BIN_DIR}\icon.ico"
  WriteUninstaller "$INSTDIR\uninstall.exe"

  ; The Start-menu shortcut carries the AppUserModelID: Windows shows toasts
  ; only for an app it knows by that id. The key under Classes names it too
  ; (the app writes the same key at start: platform/windows.rs).
  Call CreateStartMenuShortcut
  WriteRegStr HKCU "Software\Classes\AppUserModelId\${APP_ID}" "DisplayName" "${PRODUCT}"
  WriteRegStr HKCU "Software\Classes\AppUserModelId\${APP_ID}" "IconUri" "$INSTDIR\icon.ico"

  ; "Apps & features" lists it, per user.
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayName" "${PRODUCT}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "Publisher" "${PUBLISHER}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayIcon" "$INSTDIR\${EXE}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
  WriteRegStr HKCU "${UNINSTALL_KEY}" "QuietUninstallString" '"$INSTDIR\uninstall.exe" /S'
  WriteRegDWORD HKCU "${UNINSTALL_KEY}" "NoModify" 1
  WriteRegDWORD HKCU "${UNINSTALL_KEY}" "NoRepair" 1
  ${GetSize} "$INSTDIR" "/S=0K" $0 $1 $2
  WriteRegDWORD HKCU "${UNINSTALL_KEY}" "EstimatedSize" $0
SectionEnd

; Off unless chosen. The value is the one Kizuna's own Settings switch
; (tauri-plugin-autostart) reads and writes, so both agree.
Section /o "$(SecAutostart)" SecAutostartId
  WriteRegStr HKCU "${RUN_KEY}" "${PRODUCT}" '"$INSTDIR\${EXE}" --hidden'
SectionEnd

Function .onInit
  !insertmacro MUI_LANGDLL_DISPLAY
  ${GetParameters} $R0
  ClearErrors
  ${GetOptions} $R0 "/AUTOSTART" $R1
  ${IfNot} ${Errors}
    StrCpy $Autostart 1
    SectionSetFlags ${SecAutostartId} ${SF_SELECTED}
  ${EndIf}
  Call CheckWebView2
FunctionEnd

Function .onInstSuccess
  ${GetParameters} $R0
  ClearErrors
  ${GetOptions} $R0 "/UPDATE" $R1
  ${IfNot} ${Errors}
    Exec '"$INSTDIR\${EXE}"'
  ${EndIf}
FunctionEnd

Function CreateStartMenuShortcut
  CreateShortCut "$SMPROGRAMS\${PRODUCT}.lnk" "$INSTDIR\${EXE}" "" "$INSTDIR\${EXE}" 0
  ; Set System.AppUserModel.ID on the shortcut through its property store
  ; (what Windows reads), then save it over the one just made.
  !insertmacro ComHlpr_CreateInProcInstance ${CLSID_ShellLink} ${IID_IShellLink} r0 ""
  ${If} $0 P<> 0
    ${IUnknown::QueryInterface} $0 '("${IID_IPersistFile}",.r1)'
    ${If} $1 P<> 0
      ${IPersistFile::Load} $1 '("$SMPROGRAMS\${PRODUCT}.lnk", ${STGM_READWRITE})'
      ${IUnknown::QueryInterface} $0 '("${IID_IPropertyStore}",.r2)'
      ${If} $2 P<> 0
        System::Call '*${SYSSTRUCT_PROPERTYKEY}(${PKEY_AppUserModel_ID})p.r3'
        System::Call 'shlwapi::SHStrDupW(w "${APP_ID}", *p .r5)'
        System::Call '*${SYSSTRUCT_PROPVARIANT}(${VT_LPWSTR},,p r5)p.r4'
        ${IPropertyStore::SetValue} $2 '($3,$4)'
        ${IPropertyStore::Commit} $2 ""
        System::Call 'Ole32::PropVariantClear(p r4)'
        System::Free $3
        System::Free $4
        ${IUnknown::Release} $2 ""
      ${EndIf}
      ${IPersistFile::Save} $1 '("$SMPROGRAMS\${PRODUCT}.lnk",1)'
      ${IUnknown::Release} $1 ""
    ${EndIf}
    ${IUnknown::Release} $0 ""
  ${EndIf}
FunctionEnd

Function un.onInit
  !insertmacro MUI_UNGETLANGUAGE
FunctionEnd

; Removes the program, its shortcut and registrations. Never touches
; %APPDATA%\jp.kizuna.desktop (settings, this computer's database, backups,
; outbox) nor the team database: reinstalling finds everything as it was.
Section "Uninstall"
  Delete "$INSTDIR\${EXE}"
  Delete "$INSTDIR\kizuna.exe"
  Delete "$INSTDIR\icon.ico"
  Delete "$INSTDIR\uninstall.exe"
  RMDir "$INSTDIR"
  Delete "$SMPROGRAMS\${PRODUCT}.lnk"
  DeleteRegValue HKCU "${RUN_KEY}" "${PRODUCT}"
  DeleteRegKey HKCU "Software\Classes\AppUserModelId\${APP_ID}"
  DeleteRegKey HKCU "${UNINSTALL_KEY}"
SectionEnd

!insertmacro MUI_FUNCTION_DESCRIPTION_BEGIN
  !insertmacro MUI_DESCRIPTION_TEXT ${SecAppId} "$(SecApp)"
  !insertmacro MUI_DESCRIPTION_TEXT ${SecAutostartId} "$(SecAutostart)"
!insertmacro MUI_FUNCTION_DESCRIPTION_END
